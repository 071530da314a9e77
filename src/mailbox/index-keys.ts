/**
 * Key layout of the mailbox index (a Hyperbee). Parts are joined with NUL, which folder, label and
 * contact names may not contain, so a range scan over one prefix never reaches into another.
 *
 *   msg  id                    → MessageRecord
 *   fol  folder  sortKey       → MessageSummary   (the folder listing, newest first)
 *   cnt  folder                → { total, unread } (kept in the same batch as every change)
 *   lab  label   sortKey       → id
 *   thr  threadId sortKey      → id
 *   tmid Message-ID            → threadId         (also for referenced ids not seen yet)
 *   tref threadId Message-ID   → ''               (reverse of tmid, for merging threads)
 *   tsub normalisedSubject     → { threadId, date }
 *   hash rawHash               → id               (exact duplicates are stored once)
 *   fdef folder                → FolderDefinition (custom folders)
 *   con  address               → Contact
 *   st   name                  → value            (state the layers above keep beside the mail)
 *   meta format                 → number           (the layout version: see MAILBOX_FORMAT)
 */
const SEP = '\x00'
const END = '\x01'

export const key = (...parts: string[]): string => parts.join(SEP)

/** Range covering every key that starts with `parts` followed by a separator. */
export function under(...parts: string[]): { gt: string; lt: string } {
  const prefix = key(...parts)
  return { gt: prefix + SEP, lt: prefix + END }
}

/** The last part of a key. */
export function lastPart(k: string): string {
  return k.slice(k.lastIndexOf(SEP) + 1)
}

/** True when a user-supplied name can be used as a key part. */
export function isSafeName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && name.length <= 200 && !/[\x00-\x1f\x7f]/.test(name)
}
