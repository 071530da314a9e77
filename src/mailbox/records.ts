import type { BlobRef } from './blob-store.js'
import { newestFirstKey } from './ids.js'
import { key } from './index-keys.js'
import type { MailAddress } from './mime/index.js'

/** Largest raw message accepted by default (bytes): 50 MB, as the big mail services. */
export const DEFAULT_MAX_MESSAGE_BYTES = 50 * 1024 * 1024

/** The folders every mailbox has. Their ids are also their names in the index. */
export const BUILTIN_FOLDERS = [
  'inbox',
  'requests',
  'sent',
  'drafts',
  'archive',
  'spam',
  'trash',
] as const
export type BuiltinFolder = (typeof BUILTIN_FOLDERS)[number]

/** Per-message flags, as IMAP and every mail client know them. */
export interface Flags {
  seen: boolean
  flagged: boolean
  answered: boolean
}

/** Outbound delivery state per recipient: queued → relayed (on a relay) → delivered (acknowledged). */
export type DeliveryState = 'queued' | 'relayed' | 'delivered' | 'failed'

/** What a message list shows: everything but the body. */
export interface MessageSummary {
  id: string
  folder: string
  threadId: string
  /** Date header, or the time it was stored when the header is missing or absurd (ms since epoch). */
  date: number
  from: MailAddress[]
  to: MailAddress[]
  cc: MailAddress[]
  subject: string
  snippet: string
  flags: Flags
  labels: string[]
  hasAttachments: boolean
  size: number
  /** Set when the MIME parser failed: the message is kept and shown as raw text. */
  parseError?: { code: string; message: string }
  delivery?: Record<string, DeliveryState>
  /**
   * Who the transport proved sent it (a `pm1…` address checked against the signature of its pair log),
   * as opposed to the From header, which anyone can write. Absent for imported and local mail.
   */
  peer?: string
}

/** Everything the index keeps about a message; the raw bytes live in the blob log. */
export interface MessageRecord extends MessageSummary {
  messageId?: string
  inReplyTo?: string
  references: string[]
  bcc: MailAddress[]
  attachmentNames: string[]
  receivedAt: number
  rawHash: string
  blob: BlobRef
  /** Folder a trashed message came from, so it can be restored. */
  trashedFrom?: string
}

/** The summary part of a record (what folder listings store). */
export function summaryOf(record: MessageRecord): MessageSummary {
  const summary: MessageSummary = {
    id: record.id,
    folder: record.folder,
    threadId: record.threadId,
    date: record.date,
    from: record.from,
    to: record.to,
    cc: record.cc,
    subject: record.subject,
    snippet: record.snippet,
    flags: record.flags,
    labels: record.labels,
    hasAttachments: record.hasAttachments,
    size: record.size,
  }
  if (record.parseError) summary.parseError = record.parseError
  if (record.delivery) summary.delivery = record.delivery
  if (record.peer !== undefined) summary.peer = record.peer
  return summary
}

/** Whitespace-collapsed start of the body, for list previews. */
export function snippetOf(text: string | undefined, length = 200): string {
  const full = text ?? ''
  // Only the start of the text is collapsed: for a long body, collapsing all of it cost more than the
  // rest of the record. A prefix that still holds more than `length` characters once collapsed gives
  // the same first `length` characters as the whole text would.
  for (let window = length * 4; window < full.length; window *= 4) {
    const head = collapse(full.slice(0, window)).trimStart()
    if (head.length > length) return head.slice(0, length)
  }
  return collapse(full).trim().slice(0, length)
}

const collapse = (text: string) => text.replace(/\s+/g, ' ')

/**
 * The index entries derived from a record, besides the record itself: its folder listing, label listings
 * and thread membership. Writing, removing and checking a message all use this one list, so they cannot
 * disagree on the layout.
 */
export function derivedEntries(record: MessageRecord): [string, unknown][] {
  const sort = newestFirstKey(record.date, record.id)
  return [
    [key('fol', record.folder, sort), summaryOf(record)],
    ...record.labels.map((label): [string, unknown] => [key('lab', label, sort), record.id]),
    [key('thr', record.threadId, sort), record.id],
  ]
}
