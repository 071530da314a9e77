import { hasBareLineEnding } from '../bridge/guards.js'
import { joinHeader, splitHeader, type HeaderSplit } from '../bridge/header-fields.js'
import { envelopeAddress } from '../bridge/mail-address.js'
import { singleFrom } from '../bridge/submission.js'
import { generateMessageId, type MailAddress } from '../mailbox/index.js'
import { routeRecipients, type OutgoingMail } from './compose-outgoing.js'
import { ClientError } from './errors.js'

/** What {@link prepareSubmittedMail} checks a submitted message against. */
export interface SubmittedMailOptions {
  /** The envelope's recipients (SMTP `RCPT TO`), Bcc included. */
  recipients: string[]
  /** The From address the sent bytes carry: the account's `pm1…@peermail.invalid`. */
  from: string
  /** Addresses the message may claim to be from: the account's own and its aliases (any case). */
  own: string[]
  /** Whether ordinary recipients are allowed (the account holds an alias on a bridge). */
  ordinary: boolean
  now?: () => Date
}

// Field names (RFC 5322 §2.2): printable ASCII but the colon.
const FIELD_NAME = /^[!-9;-~]+$/
// Fields the sent bytes never carry from the client: Bcc would reveal the hidden recipients, Sender and
// Return-Path would name someone other than the account, and From is set afresh.
const DROPPED = new Set(['bcc', 'sender', 'return-path'])
const PEER_ADDRESS = /^pm1[a-z0-9]+@peermail\.invalid$/i

/**
 * Makes a message a mail client submitted ready to send as the account's own (RFC 6409's submission
 * duties, done the way {@link composeOutgoing} composes): its one From must be an address the account
 * owns, and becomes the account's `pm1…` address (the bridge swaps in the alias for ordinary recipients);
 * Bcc, Sender and Return-Path are removed; a missing Date or Message-ID is added. Lines must end in CRLF.
 * The rest of the bytes, body and MIME structure included, are sent as they came.
 */
export function prepareSubmittedMail(raw: Buffer, options: SubmittedMailOptions): OutgoingMail {
  if (raw.byteLength === 0) throw ClientError.INVALID_INPUT('the message is empty')
  if (hasBareLineEnding(raw))
    throw ClientError.INVALID_INPUT('the message has a bare CR or LF: every line must end in CRLF')
  const split = splitHeader(raw)
  const malformed = split.fields.findIndex((f) => !FIELD_NAME.test(f.name))
  if (malformed !== -1)
    throw ClientError.INVALID_INPUT(`header line ${malformed + 1} of the message is not a field`)
  checkFrom(raw, split, options.own)
  const { recipients, ordinary } = routeRecipients(envelopeRecipients(options.recipients), {
    ordinary: options.ordinary,
  })
  return { raw: joinHeader(withSubmissionFields(split, options)), recipients, ordinary }
}

function checkFrom(raw: Buffer, split: HeaderSplit, own: string[]): void {
  if (split.fields.filter((f) => f.name === 'from').length !== 1)
    throw ClientError.INVALID_INPUT('the message needs exactly one From field')
  const claimed = singleFrom(raw)
  if (claimed === undefined) throw ClientError.INVALID_INPUT('the From field must hold one address')
  const allowed = own.map((address) => address.toLowerCase())
  if (!allowed.includes(claimed))
    throw ClientError.INVALID_INPUT(
      `the message must be from this account (${allowed.join(' or ')}), not ${claimed}`,
    )
}

function withSubmissionFields(split: HeaderSplit, options: SubmittedMailOptions): HeaderSplit {
  const fields = split.fields.flatMap((f) =>
    f.name === 'from'
      ? [{ name: 'from', text: `From: <${options.from}>\r\n` }]
      : DROPPED.has(f.name)
        ? []
        : // The last line of a message without a body may lack its CRLF.
          [{ name: f.name, text: f.text.endsWith('\r\n') ? f.text : `${f.text}\r\n` }],
  )
  const has = (name: string) => fields.some((f) => f.name === name)
  if (!has('date')) {
    const date = (options.now ?? (() => new Date()))().toUTCString().replace(/GMT$/, '+0000')
    fields.push({ name: 'date', text: `Date: ${date}\r\n` })
  }
  if (!has('message-id')) {
    fields.push({ name: 'message-id', text: `Message-ID: ${generateMessageId(options.from)}\r\n` })
  }
  // A header block that ends without a blank line (a message with no body) gets one.
  return { fields, body: split.body.byteLength === 0 ? Buffer.from('\r\n') : split.body }
}

function envelopeRecipients(recipients: string[]): MailAddress[] {
  return recipients.map((address) => {
    // Peermail addresses are checked when routed, a mistyped one with its checksum's own error.
    if (PEER_ADDRESS.test(address)) return { name: '', address }
    try {
      return { name: '', address: envelopeAddress(address) }
    } catch {
      throw ClientError.INVALID_INPUT(`${address} is not an address mail can be sent to`)
    }
  })
}
