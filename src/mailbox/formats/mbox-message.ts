import { MailboxError } from '../errors.js'
import { describeMessage, withLocation } from './import-errors.js'
import { framingLength } from './mbox-framing.js'

const LF = 0x0a
const CR = 0x0d

/**
 * One item read from an mbox, in file order: a message, or an error naming the message (or the stretch of
 * bytes) that could not be read. `index` counts entries from 0 (leading garbage, when there is any, is
 * entry 0); `offset` is the byte offset in the file of the entry's From_ line, or of the garbage.
 */
export type MboxEntry =
  | {
      index: number
      offset: number
      /** The From_ line without its line ending, e.g. `From - Thu Jan 01 00:00:00 2026`. */
      fromLine: string
      /** The message exactly as it was before it was put in the mbox. */
      raw: Buffer
    }
  | { index: number; offset: number; error: MailboxError }

/**
 * One message being read from an mbox: its bytes so far (already unescaped) and the few facts needed to
 * strip the framing at the end. Past the size limit it stops keeping bytes and only counts them, so an
 * oversized message costs no memory and can still be reported with its real size.
 */
export class MboxMessageBuffer {
  private chunks: Buffer[] = []
  private size = 0
  private skipping = false
  private last: number | undefined
  private beforeLast: number | undefined
  /** Whether the first line ends in CRLF; undefined until the first LF is seen. */
  private firstLineCrlf: boolean | undefined

  constructor(
    readonly index: number,
    readonly offset: number,
    readonly fromLine: string,
    private readonly fromLineCrlf: boolean,
    private readonly maxBytes: number,
  ) {}

  /** Appends bytes; `bytes` must not change afterwards (slices of input chunks are kept, not copied). */
  push(bytes: Buffer): void {
    if (bytes.length === 0) return
    if (this.firstLineCrlf === undefined) {
      const nl = bytes.indexOf(LF)
      if (nl >= 0) this.firstLineCrlf = (nl > 0 ? bytes[nl - 1] : this.last) === CR
    }
    this.beforeLast = bytes.length >= 2 ? bytes[bytes.length - 2] : this.last
    this.last = bytes[bytes.length - 1]
    this.size += bytes.length
    if (this.skipping) return
    // The 2 bytes of slack are the framing line ending, which is stripped at the end.
    if (this.size > this.maxBytes + 2) {
      this.skipping = true
      this.chunks = []
      return
    }
    this.chunks.push(bytes)
  }

  /** The finished entry: the message without its framing, or an error naming it. */
  finish(file: string): MboxEntry {
    const crlfStyle = this.fromLineCrlf || this.firstLineCrlf === true
    const size = this.size - framingLength(crlfStyle, this.beforeLast, this.last)
    const { index, offset } = this
    const where = describeMessage(index, offset)
    if (this.skipping || size > this.maxBytes) {
      const error = withLocation(MailboxError.MESSAGE_TOO_LARGE(size, this.maxBytes), file, where)
      return { index, offset, error }
    }
    if (size === 0) {
      const reason = 'empty message: nothing between this From_ line and the next'
      return { index, offset, error: MailboxError.IMPORT_MESSAGE_INVALID(file, where, reason) }
    }
    const raw = Buffer.concat(this.chunks, size)
    this.chunks = []
    return { index, offset, fromLine: this.fromLine, raw }
  }
}
