/** A mailbox as a display name (possibly empty) and an addr-spec. Groups are flattened away. */
export interface MailAddress {
  name: string
  address: string
}

/** One attachment or inline part of a parsed message. */
export interface ParsedAttachment {
  filename?: string
  contentType: string
  /** Decoded size in bytes. */
  size: number
  /** Content-ID without angle brackets, as referenced by `cid:` links in the HTML. */
  contentId?: string
  /** True for parts shown in the body (Content-Disposition inline, or referenced by the HTML). */
  inline: boolean
  content: Buffer
}

/** Why a message came back as a fallback; `code` is a `MailboxError` code. */
export interface ParseErrorInfo {
  code: string
  message: string
}

/**
 * A message as the mailbox stores and shows it. When parsing failed, `parseError` is set, the headers
 * are a best-effort recovery and `text` is the raw message, so it can still be shown as raw text.
 */
export interface ParsedMessage {
  /** With angle brackets, as in the header. */
  messageId?: string
  inReplyTo?: string
  references: string[]
  subject: string
  from: MailAddress[]
  to: MailAddress[]
  cc: MailAddress[]
  bcc: MailAddress[]
  replyTo: MailAddress[]
  /** Milliseconds since the epoch. */
  date?: number
  text?: string
  html?: string
  attachments: ParsedAttachment[]
  parseError?: ParseErrorInfo
}
