import {
  composeMessage,
  parseAddressList,
  scanHeaders,
  type ReadMessage,
} from '../mailbox/index.js'
import { ENVELOPE_ID } from './delivery-report.js'
import { BridgeError } from './errors.js'
import { headerValue, joinHeader, splitHeader } from './header-fields.js'
import { envelopeAddress } from './mail-address.js'

/**
 * Outbound submission (docs/protocol.md, "Bridge: outbound submission"): the account hands the legacy
 * copy of a mail to its bridge as an ordinary pair-log mail from the account to the bridge, whose body
 * carries two attachments: `envelope.json` (`{"v":1,"rcpt":[…]}`, the envelope recipients, Bcc
 * included) and `message.eml` (the exact bytes to deliver). Riding the pair log gives it the log's
 * guarantees for free: sealed to the bridge, signed by the account, acknowledged, retried, and durable
 * on the bridge before the ack.
 */
export const SUBMISSION_HEADER = 'X-Peermail-Submission'
const ENVELOPE_FILE = 'envelope.json'
const MESSAGE_FILE = 'message.eml'
/** Envelope recipients per submission. */
export const MAX_SUBMISSION_RECIPIENTS = 100

/** A submission as the bridge reads it. */
export interface Submission {
  recipients: string[]
  raw: Buffer
  /** The envelope id (RFC 3461 ENVID) its delivery reports name; absent from older accounts. */
  envid?: string
}

/**
 * Builds the pair-log mail that submits `raw` for `recipients`, from `account` to `bridge`; `envid`
 * (32 hex digits) is echoed in the bridge's delivery reports.
 */
export function composeSubmission(
  account: string,
  bridge: string,
  raw: Buffer,
  recipients: string[],
  envid?: string,
): Promise<Buffer> {
  const rcpt = recipients.map(envelopeAddress)
  if (rcpt.length === 0 || rcpt.length > MAX_SUBMISSION_RECIPIENTS)
    throw BridgeError.INVALID_OPTIONS(`1 to ${MAX_SUBMISSION_RECIPIENTS} recipients`)
  if (envid !== undefined && !ENVELOPE_ID.test(envid))
    throw BridgeError.INVALID_OPTIONS('envid must be 32 hex digits')
  return composeMessage({
    from: { name: '', address: account },
    to: [{ name: '', address: bridge }],
    subject: 'Outbound submission',
    text: 'For the bridge: deliver the attached message to the envelope recipients.\n',
    headers: { [SUBMISSION_HEADER]: '1' },
    attachments: [
      {
        filename: ENVELOPE_FILE,
        contentType: 'application/json',
        content: Buffer.from(JSON.stringify({ v: 1, rcpt, ...(envid ? { envid } : {}) })),
      },
      { filename: MESSAGE_FILE, contentType: 'application/octet-stream', content: raw },
    ],
  })
}

/** Reads a submission from a stored mail; throws INVALID_OPTIONS when it is not one. */
export function parseSubmission(mail: ReadMessage, raw: Buffer): Submission {
  if (headerValue(raw, SUBMISSION_HEADER) !== '1')
    throw BridgeError.INVALID_OPTIONS('not a submission')
  const envelope = mail.attachments.find((a) => a.filename === ENVELOPE_FILE)
  const message = mail.attachments.find((a) => a.filename === MESSAGE_FILE)
  if (!envelope || !message) throw BridgeError.INVALID_OPTIONS('submission parts missing')
  let parsed: unknown
  try {
    parsed = JSON.parse(envelope.content.toString('utf8'))
  } catch {
    throw BridgeError.INVALID_OPTIONS('submission envelope is not JSON')
  }
  const { v, rcpt, envid } = (parsed ?? {}) as { v?: unknown; rcpt?: unknown; envid?: unknown }
  if (v !== 1 || !Array.isArray(rcpt)) throw BridgeError.INVALID_OPTIONS('submission envelope')
  if (rcpt.length === 0 || rcpt.length > MAX_SUBMISSION_RECIPIENTS)
    throw BridgeError.INVALID_OPTIONS('submission recipients')
  if (envid !== undefined && (typeof envid !== 'string' || !ENVELOPE_ID.test(envid)))
    throw BridgeError.INVALID_OPTIONS('submission envelope id')
  const recipients = [...new Set(rcpt.map((r) => envelopeAddress(String(r))))]
  return { recipients, raw: Buffer.from(message.content), ...(envid ? { envid } : {}) }
}

/** The one From address of a message, lower-cased; undefined when there is not exactly one. */
export function singleFrom(raw: Buffer): string | undefined {
  const from = scanHeaders(raw).get('from')
  if (from === undefined) return undefined
  try {
    const list = parseAddressList(from)
    return list.length === 1 ? list[0]?.address.toLowerCase() : undefined
  } catch {
    return undefined
  }
}

/**
 * The legacy copy of a composed mail: the same bytes with the From field replaced by the alias (peers
 * see the account's `pm1…` address, ordinary recipients its alias). Bcc is never in the bytes.
 */
export function legacyCopy(raw: Buffer, alias: string): Buffer {
  const split = splitHeader(raw)
  const from = split.fields.findIndex((f) => f.name === 'from')
  if (from === -1) throw BridgeError.INVALID_OPTIONS('the message has no From field')
  split.fields = split.fields.filter((f, i) => f.name !== 'from' || i === from)
  split.fields[from] = { name: 'from', text: `From: <${alias}>\r\n` }
  return joinHeader(split)
}
