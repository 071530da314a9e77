/**
 * The byte rules shared by the mbox reader and writer, kept in one place so the two cannot drift apart.
 *
 * Escaping (mboxrd): the writer puts one `>` before every line matching `^>*From `, so no line of a message
 * can be taken for a From_ line, and the reader takes one `>` off again. A line starts at the beginning of
 * the message or after LF; a lone CR does not end a line, for the writer and the reader alike.
 *
 * Framing: after each message the writer adds exactly one line ending, written in the message's own style
 * (CRLF when its first line ends in CRLF, else LF). For a message that ends in a newline this is the usual
 * blank line between messages; for one that does not, it ends the last line so the next From_ line starts
 * a line. The reader strips exactly one line ending at the end of each message, choosing CRLF when the
 * From_ line or the message's first line ends in CRLF (see {@link framingLength}). Applied to what the
 * writer produced, that removes precisely the bytes it added, whatever the message ends with (nothing, LF,
 * CRLF, a lone CR, blank lines), so export then import is byte-identical.
 */

const LF = 0x0a
const CR = 0x0d
const GT = 0x3e

/** The bytes that make a line a From_ line (or, behind `>`s, an escaped one). */
export const FROM_BYTES = Buffer.from('From ')
const GT_BYTE = Buffer.from('>')

/** True when the line starting at `pos` matches `^>*From `. */
export function isEscapableLineAt(buf: Buffer, pos: number): boolean {
  let i = pos
  while (buf[i] === GT) i++
  return buf.length - i >= FROM_BYTES.length && buf.compare(FROM_BYTES, 0, 5, i, i + 5) === 0
}

/**
 * `raw` with one `>` before every line matching `^>*From `, as a list of slices (no copy of the message).
 */
export function escapeFromLines(raw: Buffer): Buffer[] {
  const parts: Buffer[] = []
  let runStart = 0
  let line = 0
  while (line < raw.length) {
    if (isEscapableLineAt(raw, line)) {
      if (line > runStart) parts.push(raw.subarray(runStart, line))
      parts.push(GT_BYTE)
      runStart = line
    }
    const nl = raw.indexOf(LF, line)
    if (nl < 0) break
    line = nl + 1
  }
  if (raw.length > runStart) parts.push(raw.subarray(runStart))
  return parts
}

/**
 * The line ending the writer adds after `raw`: CRLF when the first line of `raw` followed by that ending
 * would end in CRLF, which is exactly when the reader will strip two bytes. A message with no LF at all
 * counts as CRLF-style when it ends in CR, so `abc\r` is written `abc\r\r\n` and read back as `abc\r`.
 */
export function framingNewline(raw: Buffer): '\n' | '\r\n' {
  const nl = raw.indexOf(LF)
  const beforeFirstLf = nl < 0 ? raw[raw.length - 1] : raw[nl - 1]
  return beforeFirstLf === CR ? '\r\n' : '\n'
}

/**
 * How many bytes at the end of a message region are the framing line ending the reader strips: 2 for a
 * final CRLF when the From_ line or the region's first line ends in CRLF, else 1 for a final LF, else 0
 * (a foreign file cut off mid-line). `last` and `beforeLast` are the region's final bytes.
 */
export function framingLength(
  crlfStyle: boolean,
  beforeLast: number | undefined,
  last: number | undefined,
): 0 | 1 | 2 {
  if (last !== LF) return 0
  return crlfStyle && beforeLast === CR ? 2 : 1
}
