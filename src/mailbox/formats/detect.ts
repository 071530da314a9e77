import { open, stat } from 'node:fs/promises'
import { MailboxError } from '../errors.js'
import { openError } from './import-errors.js'
import { classifyHead, readHead } from './sniff.js'

/** What an import path holds: one mbox file, one message file, or a directory of message files. */
export type MailFormat = 'mbox' | 'eml' | 'eml-dir'

/**
 * Tells how to import `path`: a directory is `eml-dir`; a file whose first non-blank line starts with
 * `From ` is `mbox`; one that starts with a header field is `eml`. Anything else throws IMPORT_FORMAT
 * naming the file with a reason to act on (empty, binary, a zip such as a Takeout download: unzip it
 * first, gzip, missing, unreadable).
 */
export async function detectFormat(path: string): Promise<MailFormat> {
  const info = await stat(path).catch((err: unknown) => {
    throw openError(path, err)
  })
  if (info.isDirectory()) return 'eml-dir'
  if (!info.isFile()) throw MailboxError.IMPORT_FORMAT(path, 'not a regular file')
  const handle = await open(path, 'r').catch((err: unknown) => {
    throw openError(path, err)
  })
  let head: Buffer
  try {
    head = await readHead(handle)
  } finally {
    await handle.close()
  }
  const kind = classifyHead(head)
  if (kind.kind === 'unknown') throw MailboxError.IMPORT_FORMAT(path, kind.reason)
  return kind.kind === 'mbox' ? 'mbox' : 'eml'
}
