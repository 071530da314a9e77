import type { FileHandle } from 'node:fs/promises'

/**
 * Telling mail files apart by their first bytes: an mbox starts with a From_ line, a message with a header
 * field; for anything else, a reason a person can act on.
 */

/** How much of a file is looked at. Header fields and From_ lines are short; 64 KiB is generous. */
export const SNIFF_BYTES = 64 * 1024

/** What the start of a file looks like. */
export type HeadKind = { kind: 'mbox' } | { kind: 'message' } | { kind: 'unknown'; reason: string }

const BOM = Buffer.from([0xef, 0xbb, 0xbf])
/** RFC 5322 §3.6.8: a field name is printable ASCII except `:`; obsolete syntax allows WSP before it. */
const HEADER_FIELD = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/

/** Reads up to {@link SNIFF_BYTES} from the start of an open file. */
export async function readHead(handle: FileHandle): Promise<Buffer> {
  const head = Buffer.alloc(SNIFF_BYTES)
  let length = 0
  while (length < head.length) {
    const { bytesRead } = await handle.read(head, length, head.length - length, length)
    if (bytesRead === 0) break
    length += bytesRead
  }
  return head.subarray(0, length)
}

/** Classifies the first bytes of a file (see the module comment). */
export function classifyHead(head: Buffer): HeadKind {
  if (head.length === 0) return { kind: 'unknown', reason: 'the file is empty' }
  const magic = head.subarray(0, 4).toString('latin1')
  if (magic === 'PK\x03\x04' || magic === 'PK\x05\x06') {
    return {
      kind: 'unknown',
      reason:
        'this is a zip archive (a Google Takeout download?): unzip it first and import the .mbox files inside',
    }
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    return { kind: 'unknown', reason: 'this file is gzip-compressed: decompress it first' }
  }
  const line = firstNonBlankLine(head)
  if (line === undefined) return { kind: 'unknown', reason: 'the file holds only blank lines' }
  if (line.startsWith('From ')) return { kind: 'mbox' }
  if (HEADER_FIELD.test(line)) return { kind: 'message' }
  if (head.includes(0)) return { kind: 'unknown', reason: 'this is a binary file, not mail' }
  return {
    kind: 'unknown',
    reason:
      'not a mail file: it starts with neither a "From " line (mbox) nor a header field (message)',
  }
}

/** The first line with something other than spaces, tabs and CR, as latin1 (bytes kept one to one). */
function firstNonBlankLine(head: Buffer): string | undefined {
  const text = head.subarray(head.subarray(0, 3).equals(BOM) ? 3 : 0).toString('latin1')
  for (const line of text.split('\n')) {
    if (/[^ \t\r]/.test(line)) return line
  }
  return undefined
}
