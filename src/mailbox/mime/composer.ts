import MailComposer, {
  type MailComposerAttachment,
  type MailComposerOptions,
} from 'nodemailer/lib/mail-composer'
import { randomBytes } from '../../crypto/bytes.js'
import { MailboxError } from '../errors.js'
import { hasControlCharacter, validateMailAddress } from './address.js'
import type { MailAddress } from './types.js'

/** A file to attach; with `contentId` it is an inline part the HTML references as `cid:<contentId>`. */
export interface ComposeAttachment {
  filename: string
  content: Buffer
  /** Detected from the filename when absent. */
  contentType?: string
  /** Without angle brackets. */
  contentId?: string
  /**
   * `attachment` forces a part to show as a file even where nodemailer would inline it (a forwarded
   * `message/rfc822`); default: inline when it has a contentId, attachment otherwise.
   */
  disposition?: 'attachment' | 'inline'
}

/** What {@link composeMessage} builds a message from. */
export interface ComposeInput {
  from: MailAddress
  to?: MailAddress[]
  cc?: MailAddress[]
  /** Kept out of the output: the caller hands these to the transport as envelope recipients. */
  bcc?: MailAddress[]
  /** Writes Bcc into the output after all: for a draft, which never leaves and must keep it. */
  keepBcc?: boolean
  replyTo?: MailAddress[]
  subject?: string
  text?: string
  html?: string
  attachments?: ComposeAttachment[]
  /** With angle brackets; generated as `<random-hex@domain-of-from>` when absent. */
  messageId?: string
  inReplyTo?: string
  references?: string[]
  /** The current time when absent. */
  date?: Date
  /** Extra headers; the ones this input sets through its fields are refused here. */
  headers?: Record<string, string>
}

// msg-id (RFC 5322 §3.6.4), loosely: printable ASCII without angle brackets, inside angle brackets.
const MESSAGE_ID = /^<[!-;=?-~]{1,996}>$/
const CONTENT_ID = /^[!-;=?-~]{1,250}$/
const CONTENT_TYPE = /^[A-Za-z0-9][\w!#$&^.+-]{0,126}\/[A-Za-z0-9][\w!#$&^.+-]{0,126}$/
const HEADER_NAME = /^[!-9;-~]{1,76}$/ // ftext, RFC 5322 §3.6.8
const MAX_FILENAME_LENGTH = 255
const RESERVED_HEADERS = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-id',
])

/**
 * Builds the RFC 5322 bytes of a message with nodemailer's MailComposer. Every address, header value and
 * id is checked here first (see address.ts for why nodemailer is not trusted with that), file and URL
 * access in nodemailer is off, and Bcc never appears in the output (but for a draft's `keepBcc`).
 *
 * @throws MailboxError ADDRESS_INVALID for a bad address, INVALID_ARGUMENT for any other bad field
 *   (including a line break in the subject or a header value: header injection).
 */
export async function composeMessage(input: ComposeInput): Promise<Buffer> {
  const from = validateMailAddress(input.from)
  const mail: MailComposerOptions = {
    from,
    to: addresses(input.to),
    cc: addresses(input.cc),
    bcc: addresses(input.bcc),
    replyTo: addresses(input.replyTo),
    subject: singleLine(input.subject ?? '', 'subject'),
    messageId: messageId(input.messageId ?? generateMessageId(from.address), 'messageId'),
    date: date(input.date ?? new Date()),
    text: optionalText(input.text, 'text'),
    html: optionalText(input.html, 'html'),
    attachments: (input.attachments ?? []).map(attachment),
    headers: headers(input.headers ?? {}),
    disableFileAccess: true,
    disableUrlAccess: true,
  }
  if (input.inReplyTo !== undefined) mail.inReplyTo = messageId(input.inReplyTo, 'inReplyTo')
  if (input.references !== undefined && input.references.length > 0) {
    mail.references = input.references.map((id) => messageId(id, 'references'))
  }
  try {
    // MimeNode.build() leaves Bcc out unless keepBcc is set, which only a draft asks for.
    const node = new MailComposer(mail).compile()
    if (input.keepBcc === true) node.keepBcc = true
    return await node.build()
  } catch (err) {
    throw MailboxError.INVALID_ARGUMENT(`the message could not be composed: ${describe(err)}`)
  }
}

/** `<32 hex digits@domain-of-from>`: unguessable, so it cannot be used to link messages. */
export function generateMessageId(fromAddress: string): string {
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1)
  return `<${randomBytes(16).toString('hex')}@${domain}>`
}

function addresses(list: MailAddress[] | undefined): MailAddress[] | undefined {
  if (list === undefined || list.length === 0) return undefined
  return list.map(validateMailAddress)
}

function singleLine(value: string, field: string): string {
  if (typeof (value as unknown) !== 'string' || hasControlCharacter(value)) {
    throw MailboxError.INVALID_ARGUMENT(`${field} must be text without line breaks`)
  }
  return value
}

function optionalText(value: string | undefined, field: string): string | undefined {
  if (value !== undefined && typeof (value as unknown) !== 'string') {
    throw MailboxError.INVALID_ARGUMENT(`${field} must be text`)
  }
  return value
}

function messageId(value: string, field: string): string {
  if (typeof (value as unknown) !== 'string' || !MESSAGE_ID.test(value)) {
    throw MailboxError.INVALID_ARGUMENT(`${field} must be a message id like <id@host>`)
  }
  return value
}

function date(value: Date): Date {
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) {
    throw MailboxError.INVALID_ARGUMENT('date must be a valid Date')
  }
  return value
}

function attachment(file: ComposeAttachment): MailComposerAttachment {
  const { filename, content, contentType, contentId, disposition } = file
  if (typeof (filename as unknown) !== 'string' || filename.length > MAX_FILENAME_LENGTH) {
    throw MailboxError.INVALID_ARGUMENT(
      `attachment filename must be text of at most 255 characters`,
    )
  }
  singleLine(filename, 'attachment filename')
  const bytes = content as unknown
  if (!(bytes instanceof Uint8Array)) {
    throw MailboxError.INVALID_ARGUMENT('attachment content must be a Buffer')
  }
  // A plain Uint8Array from a JS caller is wrapped, not copied: attachments can be tens of MB.
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: MailComposerAttachment = { filename, content: buffer }
  if (disposition !== undefined) {
    if ((disposition as unknown) !== 'attachment' && (disposition as unknown) !== 'inline')
      throw MailboxError.INVALID_ARGUMENT('attachment disposition must be attachment or inline')
    out.contentDisposition = disposition
  }
  if (contentType !== undefined) {
    if (!CONTENT_TYPE.test(contentType)) {
      throw MailboxError.INVALID_ARGUMENT('attachment contentType must be like type/subtype')
    }
    out.contentType = contentType
  }
  if (contentId !== undefined) {
    if (!CONTENT_ID.test(contentId)) {
      throw MailboxError.INVALID_ARGUMENT('attachment contentId must be printable, without <>')
    }
    out.cid = contentId
  }
  return out
}

function headers(extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(extra)) {
    if (!HEADER_NAME.test(name))
      throw MailboxError.INVALID_ARGUMENT(`header name ${JSON.stringify(name.slice(0, 80))}`)
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw MailboxError.INVALID_ARGUMENT(`header ${name} is set through its own field`)
    }
    out[name] = singleLine(value, `header ${name}`)
  }
  return out
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
