import type Hyperbee from 'hyperbee'
import { inBatch } from './batch.js'
import { MailboxError } from './errors.js'
import { key } from './index-keys.js'

/**
 * The index layout this code reads and writes. Raise it when the layout changes in a way older code would
 * misread (for instance index entries that older code expects but a newer layout no longer keeps), and
 * migrate older mailboxes on open. Mailboxes written before the number existed are format 1.
 */
export const MAILBOX_FORMAT = 1

const FORMAT_KEY = key('meta', 'format')

/**
 * Refuses a mailbox written by newer code (MAILBOX_FORMAT_TOO_NEW) rather than misread or damage it, and
 * records the format in one that has none yet. Call on open, before anything else writes.
 */
export async function checkFormat(bee: Hyperbee): Promise<void> {
  const entry = await bee.get(FORMAT_KEY)
  if (entry === null) {
    await inBatch(bee, (batch) => batch.put(FORMAT_KEY, MAILBOX_FORMAT))
    return
  }
  const found: unknown = entry.value
  if (typeof found !== 'number' || !Number.isInteger(found) || found < 1)
    throw MailboxError.CORRUPT('the format entry is not a version number')
  if (found > MAILBOX_FORMAT) throw MailboxError.FORMAT_TOO_NEW(found, MAILBOX_FORMAT)
}
