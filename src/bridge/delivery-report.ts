import { composeMessage } from '../mailbox/index.js'
import { BridgeError } from './errors.js'
import { headerValue, joinHeader, splitHeader } from './header-fields.js'

/**
 * Delivery reports (docs/protocol.md §16, "Delivery reports"): what the bridge tells an account about
 * the recipients of a submission once they are settled, as an RFC 3464 `multipart/report;
 * report-type=delivery-status` message sealed into the bridge's pair log to the account. The first part
 * is for people (the bounce text), the second, `message/delivery-status`, for the account's software:
 * `Original-Envelope-Id` (RFC 3461 ENVID) names the submission, one group per recipient says
 * `Action: delivered` or `Action: failed`. The envelope id is a random value only the account and its
 * bridge know, which is what makes a report the bridge's own word: anyone on the Internet can mail the
 * account a DSN-shaped message through the same pair log.
 */

/** One recipient the bridge gave up on, and the last reply it had. */
export interface Failure {
  recipient: string
  reason: string
}

/** What a report says about one recipient. */
export interface ReportedRecipient {
  recipient: string
  action: 'delivered' | 'failed'
}

/** A delivery report as the account reads it. */
export interface DeliveryReport {
  /** The submission's envelope id (32 hex digits); undefined when the report names none. */
  envid: string | undefined
  /** The original's Message-ID (the report's In-Reply-To). */
  messageId: string | undefined
  recipients: ReportedRecipient[]
}

/** A submission's envelope id: 128 random bits, hex. */
export const ENVELOPE_ID = /^[0-9a-f]{32}$/
/** Reports are small (no original body): anything larger is not read as one. */
const MAX_REPORT_BYTES = 256 * 1024
/** Recipient groups read from one report (a submission has at most 100 recipients). */
const MAX_REPORTED = 100
const MAX_REASON_LENGTH = 500

export interface DeliveryReportInput {
  domain: string
  /** The account's alias the original was sent from: the report's To. */
  alias: string
  /** The delivered message (its Subject and Message-ID name it); may be empty when it is gone. */
  original: Buffer
  envid: string | undefined
  delivered: string[]
  failures: Failure[]
}

/** Builds the report for recipients just settled; the human part lists failures, or else deliveries. */
export async function composeDeliveryReport(input: DeliveryReportInput): Promise<Buffer> {
  const { domain, alias, original, envid, delivered, failures } = input
  const subject = headerValue(original, 'subject') ?? ''
  const messageId = headerValue(original, 'message-id')
  const failed = failures.length > 0
  const listed = failed
    ? failures.map((f) => `  ${f.recipient}: ${oneLine(f.reason)}`)
    : delivered.map((r) => `  ${r}`)
  const lines = [
    failed
      ? `Your mail could not be delivered to ${failures.length === 1 ? 'this recipient' : 'these recipients'}:`
      : `Your mail was delivered to ${delivered.length === 1 ? 'this recipient' : 'these recipients'}:`,
    '',
    ...listed,
    '',
    `Subject: ${subject}`,
    ...(messageId ? [`Message-ID: ${messageId}`] : []),
  ]
  const composed = await composeMessage({
    from: { name: 'Mail Delivery System', address: `mailer-daemon@${domain}` },
    to: [{ name: '', address: alias }],
    subject: `${failed ? 'Undelivered mail' : 'Delivered'}: ${subject}`.slice(0, 900),
    text: lines.join('\n') + '\n',
    ...(messageId ? { inReplyTo: messageId, references: [messageId] } : {}),
    attachments: [
      {
        filename: 'delivery-status.txt',
        contentType: 'message/delivery-status',
        // Shown as a file, not run into the text the user reads (mailparser inlines it otherwise).
        disposition: 'attachment',
        content: deliveryStatus(domain, envid, delivered, failures),
      },
    ],
  })
  return asReport(composed)
}

// The machine-readable part (RFC 3464 §2.2–2.3): per-message fields, then one group per recipient.
function deliveryStatus(
  domain: string,
  envid: string | undefined,
  delivered: string[],
  failures: Failure[],
): Buffer {
  const groups = [
    [`Reporting-MTA: dns; ${domain}`, ...(envid ? [`Original-Envelope-Id: ${envid}`] : [])],
    ...delivered.map((r) => [
      `Final-Recipient: rfc822; ${r}`,
      'Action: delivered',
      'Status: 2.0.0',
    ]),
    ...failures.map((f) => [
      `Final-Recipient: rfc822; ${f.recipient}`,
      'Action: failed',
      `Status: ${statusOf(f.reason)}`,
      `Diagnostic-Code: smtp; ${oneLine(f.reason)}`,
    ]),
  ]
  return Buffer.from(groups.map((g) => g.join('\r\n') + '\r\n').join('\r\n'), 'latin1')
}

// A remote server's reply goes into a header-like field: one line of printable ASCII, bounded, so a
// hostile reply cannot add fields (an `Action: delivered` of its own) to the report.
function oneLine(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, ' ').slice(0, MAX_REASON_LENGTH)
}

// The enhanced status code (RFC 3463) the reply carried, or a generic permanent failure.
function statusOf(reason: string): string {
  return /\b(5\.\d{1,3}\.\d{1,3})\b/.exec(reason)?.[1] ?? '5.0.0'
}

// nodemailer writes multipart/mixed; a report is the same structure under multipart/report (RFC 6522).
function asReport(raw: Buffer): Buffer {
  const split = splitHeader(raw)
  const field = split.fields.find((f) => f.name === 'content-type')
  const boundary = field && /boundary="([^"]+)"/.exec(field.text)?.[1]
  if (!field || !boundary)
    throw BridgeError.INVALID_OPTIONS('the composed report has no multipart boundary')
  field.text = `Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="${boundary}"\r\n`
  return joinHeader(split)
}

/**
 * Reads a delivery report; undefined for anything that is not a well-formed `multipart/report;
 * report-type=delivery-status` with a `message/delivery-status` part (ordinary mail, including bounces
 * by other servers without one). Outside input: every field is checked, sizes are bounded, and only
 * `delivered` and `failed` actions are returned.
 */
export function parseDeliveryReport(raw: Buffer): DeliveryReport | undefined {
  if (raw.byteLength > MAX_REPORT_BYTES) return undefined
  const contentType = headerValue(raw, 'content-type')
  if (!contentType || !/^multipart\/report\s*;/i.test(contentType)) return undefined
  if (param(contentType, 'report-type')?.toLowerCase() !== 'delivery-status') return undefined
  const boundary = param(contentType, 'boundary')
  if (!boundary) return undefined
  const status = statusPart(splitHeader(raw).body.toString('latin1'), boundary)
  if (status === undefined) return undefined
  const groups = fieldGroups(status)
  const perMessage = groups.shift()
  if (!perMessage || groups.length > MAX_REPORTED) return undefined
  const envid = perMessage.get('original-envelope-id')
  const recipients: ReportedRecipient[] = []
  for (const group of groups) {
    const finalRecipient = /^rfc822\s*;\s*(\S+)$/i.exec(group.get('final-recipient') ?? '')?.[1]
    const action = group.get('action')?.toLowerCase()
    if (!finalRecipient) return undefined
    if (action === 'delivered' || action === 'failed')
      recipients.push({ recipient: finalRecipient, action })
  }
  const inReplyTo = headerValue(raw, 'in-reply-to')
  return {
    envid: envid !== undefined && ENVELOPE_ID.test(envid) ? envid : undefined,
    messageId: inReplyTo && /^<[^<>\s]+>$/.test(inReplyTo) ? inReplyTo : undefined,
    recipients,
  }
}

// A Content-Type parameter's value (quoted or a token).
function param(contentType: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]{1,200})"|([^\\s;"]{1,200}))`, 'i').exec(
    contentType,
  )
  return match?.[1] ?? match?.[2]
}

// The body of the first top-level part whose Content-Type is message/delivery-status (7bit by RFC 3464).
function statusPart(body: string, boundary: string): string | undefined {
  const lines = body.split(/\r?\n/)
  const delimiter = `--${boundary}`
  let part: string[] | null = null
  for (const line of lines) {
    const trimmed = line.trimEnd()
    if (trimmed === delimiter || trimmed === `${delimiter}--`) {
      const found = part && partBody(part)
      if (found !== undefined && found !== null) return found
      if (trimmed !== delimiter) return undefined
      part = []
    } else part?.push(line)
  }
  return undefined
}

// A part's body when its headers say message/delivery-status with no transfer encoding to undo.
function partBody(lines: string[]): string | undefined {
  const blank = lines.indexOf('')
  if (blank === -1) return undefined
  const headers = fieldGroups(lines.slice(0, blank).join('\n'))[0]
  const type = headers?.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  const encoding = headers?.get('content-transfer-encoding')?.toLowerCase() ?? '7bit'
  if (type !== 'message/delivery-status' || !['7bit', '8bit'].includes(encoding)) return undefined
  return lines.slice(blank + 1).join('\n')
}

// Blank-line separated groups of `Name: value` fields (continuation lines unfolded), names lower-cased.
function fieldGroups(text: string): Map<string, string>[] {
  const groups: Map<string, string>[] = []
  let current: Map<string, string> | null = null
  let last: string | null = null
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      current = null
      last = null
      continue
    }
    if (/^[ \t]/.test(line) && current && last) {
      current.set(last, `${current.get(last) ?? ''} ${line.trim()}`)
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    if (!current) groups.push((current = new Map<string, string>()))
    last = line.slice(0, colon).trim().toLowerCase()
    // The first occurrence counts: a repeated field cannot override what the report said first.
    if (!current.has(last)) current.set(last, line.slice(colon + 1).trim())
  }
  return groups
}
