import {
  composeMessage,
  parseAddressList,
  type ComposeAttachment,
  type Mailbox,
  type MailAddress,
} from '../mailbox/index.js'
import { decodeAddress, encodeAddress } from '../crypto/index.js'
import { isMessageId } from '../mailbox/ids.js'
import { peerIdentityOf, PEER_MAIL_DOMAIN, SyncError, SyncErrorCode } from '../sync/index.js'
import { ClientError } from './errors.js'

/** What {@link Account.send} takes. Addresses are `pm1…`, `pm1…@peermail.invalid` or `Name <…>`. */
export interface SendInput {
  to: string | string[]
  cc?: string | string[]
  bcc?: string | string[]
  subject: string
  text?: string
  html?: string
  attachments?: ComposeAttachment[]
  /** The mailbox id of the message answered, or its Message-ID (`<…>`). */
  inReplyTo?: string
}

export interface OutgoingMail {
  raw: Buffer
  /** Every peer the mail goes to (To, Cc and Bcc), deduplicated, with the address its status uses. */
  recipients: { identity: Buffer; address: string }[]
  /** Ordinary addresses (To, Cc and Bcc) when `ordinary` allowed them: they go through a bridge. */
  ordinary: MailAddress[]
}

const MAX_RECIPIENTS = 100

/**
 * Builds the RFC 5322 bytes of an outgoing mail from the user's input, checking every field: recipients
 * must be Peermail addresses (ordinary ones need the bridge), a reply threads under its parent. Bcc
 * recipients get the mail but never appear in its bytes.
 */
export async function composeOutgoing(
  mailbox: Mailbox,
  from: MailAddress,
  input: SendInput,
  options: { ordinary?: boolean } = {},
): Promise<OutgoingMail> {
  if (typeof (input as unknown) !== 'object' || (input as unknown) === null)
    throw ClientError.INVALID_INPUT('send() takes an object')
  const to = recipientList(input.to, 'to')
  const cc = recipientList(input.cc, 'cc')
  const bcc = recipientList(input.bcc, 'bcc')
  const { recipients, ordinary } = routeRecipients([...to, ...cc, ...bcc], options)
  if (typeof (input.subject as unknown) !== 'string')
    throw ClientError.INVALID_INPUT('subject must be text')
  const thread =
    input.inReplyTo === undefined ? undefined : await parentOf(mailbox, input.inReplyTo)
  const raw = await composeMessage({
    from,
    to,
    cc,
    bcc,
    subject: input.subject,
    ...(input.text !== undefined ? { text: input.text } : {}),
    ...(input.html !== undefined ? { html: input.html } : {}),
    ...(input.attachments !== undefined ? { attachments: input.attachments } : {}),
    ...(thread ?? {}),
  })
  return { raw, recipients, ordinary }
}

/**
 * Sorts a mail's recipients (To, Cc and Bcc together) into peers, deduplicated, and ordinary addresses,
 * which are refused unless `ordinary` allows them (the account holds an alias on a bridge).
 */
export function routeRecipients(
  all: MailAddress[],
  options: { ordinary?: boolean } = {},
): Pick<OutgoingMail, 'recipients' | 'ordinary'> {
  if (all.length === 0) throw ClientError.INVALID_INPUT('a mail needs at least one recipient')
  const recipients = new Map<string, { identity: Buffer; address: string }>()
  const ordinary = new Map<string, MailAddress>()
  for (const entry of all) {
    const identity = peerIdentityOf(entry.address)
    if (!identity) {
      // A mistyped Peermail address gets the checksum's own error, not "not a Peermail address".
      const local = entry.address.slice(0, entry.address.lastIndexOf('@')).toLowerCase()
      if (local.startsWith('pm1')) decodeAddress(local)
      if (!options.ordinary) {
        throw new SyncError(
          SyncErrorCode.NOT_A_PEER_ADDRESS,
          `${entry.address} is an ordinary email address: Peermail reaches those through a bridge, once ` +
            'this account holds an alias on one (`peermail alias add NAME@DOMAIN --bridge ADDRESS`)',
        )
      }
      ordinary.set(entry.address.toLowerCase(), entry)
      continue
    }
    // The canonical `pm1…` (lower case) names the recipient in the status, whatever case was typed.
    const address = encodeAddress(identity)
    recipients.set(identity.toString('hex'), { identity, address })
  }
  if (recipients.size + ordinary.size > MAX_RECIPIENTS)
    throw ClientError.INVALID_INPUT(`at most ${MAX_RECIPIENTS} recipients`)
  return { recipients: [...recipients.values()], ordinary: [...ordinary.values()] }
}

// `pm1…` alone is not an RFC 5322 address: give it the Peermail domain before parsing the list.
function recipientList(value: string | string[] | undefined, field: string): MailAddress[] {
  if (value === undefined) return []
  const items = Array.isArray(value) ? value : [value]
  if (!items.every((item) => typeof (item as unknown) === 'string'))
    throw ClientError.INVALID_INPUT(`${field} must be text or a list of texts`)
  const text = items
    .join(', ')
    .replace(/(^|[\s,;<])(pm1[a-z0-9]{58})(?=$|[\s,;>])/gi, `$1$2@${PEER_MAIL_DOMAIN}`)
  return text.trim() === '' ? [] : parseAddressList(text)
}

async function parentOf(
  mailbox: Mailbox,
  inReplyTo: string,
): Promise<{ inReplyTo: string; references: string[] }> {
  if (isMessageId(inReplyTo)) {
    const parent = await mailbox.get(inReplyTo)
    if (!parent.messageId) throw ClientError.INVALID_INPUT('the answered message has no Message-ID')
    return {
      inReplyTo: parent.messageId,
      references: [...parent.references, parent.messageId].slice(-50),
    }
  }
  return { inReplyTo, references: [inReplyTo] }
}
