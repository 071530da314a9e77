import { MailboxError } from '../errors.js'
import { isStrictFromLine } from './from-line.js'
import { MboxMessageBuffer, type MboxEntry } from './mbox-message.js'
import { FROM_BYTES } from './mbox-framing.js'

/**
 * A push parser for mbox bytes: feed it chunks of any size, cut anywhere (inside a CRLF, inside `From `),
 * and it returns the entries completed so far. It keeps only the message being read, plus a few counters
 * for the start of the current line, so memory does not grow with the file.
 *
 * A line is a From_ line when it starts with exactly `From ` (the common rule; Thunderbird and Gmail escape
 * such lines in bodies). Escaped lines are unescaped as mboxrd (`^>+From ` loses one `>`) or as mboxo
 * (only `^>From ` does). The first From_ line may follow a BOM and blank lines; other leading bytes are
 * reported as one error entry if a From_ line that looks real (see `isStrictFromLine`) follows within
 * {@link MAX_PREAMBLE_BYTES}, and otherwise the file is not an mbox (IMPORT_FORMAT).
 */

/** How much leading garbage is skipped looking for the first From_ line before giving up on the file. */
export const MAX_PREAMBLE_BYTES = 64 * 1024
/**
 * From_ lines are kept for display only; a longer one is cut (it still ends where its LF is), and after
 * leading garbage it does not count as the start of the first message.
 */
const MAX_FROM_LINE_BYTES = 1024

const LF = 0x0a
const CR = 0x0d
const GT = 0x3e
const BOM = Buffer.from([0xef, 0xbb, 0xbf])
/** Only lines starting with `F` or `>` can be From_ lines or escaped ones; the rest are skipped whole. */
const LF_F = Buffer.from('\nF')
const LF_GT = Buffer.from('\n>')

/** Settings of an {@link MboxParser}. */
export interface MboxParserOptions {
  /** Names the file in errors. */
  file: string
  /** mboxrd removes one `>` from `^>+From ` lines, mboxo only from `^>From ` lines. */
  variant: 'mboxrd' | 'mboxo'
  maxMessageBytes: number
}

type Mode = 'head' | 'preamble' | 'fromLine' | 'body'

/** See the module comment. `push` and `end` throw IMPORT_FORMAT when the input is not an mbox. */
export class MboxParser {
  private mode: Mode = 'head'
  private head: Buffer = Buffer.alloc(0)
  /** Offset in the file of byte 0 of the chunk being scanned. */
  private base = 0
  private out: MboxEntry[] = []
  private nextIndex = 0

  // The start of the current line, until it is known whether it matches `^>*From `: `gts` `>`s, then
  // `matched` bytes of `From `. `carried` of those bytes came in earlier chunks and were not emitted yet.
  private atLineStart = true
  private gts = 0
  private matched = 0
  private carried = 0
  private lineOffset = 0
  /** Start in the current chunk of bytes that go into the message unchanged but are not pushed yet. */
  private runStart = 0
  /** Next `\nF` and `\n>` in the chunk being scanned: -1 when there is none, -2 when not searched yet. */
  private nextLfF = -2
  private nextLfGt = -2

  private garbageStart: number | undefined
  private fromBytes: Buffer[] = []
  /** Bytes of the From_ line so far, kept or not. */
  private fromLength = 0
  private fromLast: number | undefined
  private fromOffset = 0
  private fromInPreamble = false
  private message: MboxMessageBuffer | undefined

  constructor(private readonly options: MboxParserOptions) {}

  /** Parses one more chunk; returns the entries it completed. */
  push(chunk: Buffer): MboxEntry[] {
    if (this.mode === 'head') {
      // A BOM may be split across chunks too: wait for three bytes before deciding.
      this.head = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk])
      if (this.head.length < BOM.length) return []
      this.scanHead()
    } else {
      this.scan(chunk, 0)
      this.base += chunk.length
    }
    this.checkPreamble()
    return this.take()
  }

  /** Finishes the input; returns the last entries. */
  end(): MboxEntry[] {
    if (this.mode === 'head') this.scanHead()
    if (this.atLineStart && this.gts + this.matched > 0) {
      // The file ended inside what might have been `>From `: those bytes are ordinary text.
      if (this.mode === 'body') this.message?.push(this.pendingPrefix(0))
      else this.garbageStart ??= this.lineOffset
    }
    if (this.mode === 'fromLine') this.endFromLine()
    this.finishMessage()
    if (this.mode === 'preamble' && this.garbageStart !== undefined) throw this.notAnMbox()
    return this.take()
  }

  private take(): MboxEntry[] {
    const out = this.out
    this.out = []
    return out
  }

  private scanHead(): void {
    const head = this.head
    this.head = Buffer.alloc(0)
    this.mode = 'preamble'
    this.scan(head, head.subarray(0, BOM.length).equals(BOM) ? BOM.length : 0)
    this.base += head.length
  }

  private scan(buf: Buffer, from: number): void {
    let i = from
    this.runStart = from
    this.nextLfF = this.nextLfGt = -2
    while (i < buf.length) {
      if (this.mode === 'fromLine') i = this.scanFromLine(buf, i)
      else if (this.atLineStart) i = this.scanLineStart(buf, i)
      else if (this.mode === 'body') i = this.skipBodyLines(buf, i)
      else i = this.scanPreambleLine(buf, i)
    }
    if (this.mode === 'body') this.flushRun(buf, buf.length)
  }

  /** Decides whether the line starting at `i` is a From_ line, an escaped one or an ordinary one. */
  private scanLineStart(buf: Buffer, start: number): number {
    let i = start
    if (this.carried === 0) this.lineOffset = this.base + i
    while (i < buf.length && this.matched < FROM_BYTES.length) {
      const byte = buf[i]
      if (this.matched === 0 && byte === GT) this.gts++
      else if (byte === FROM_BYTES[this.matched]) this.matched++
      else break
      i++
    }
    if (i === buf.length && this.matched < FROM_BYTES.length) {
      // Undecided until the next chunk: hold these bytes back (they are recreated from the counters).
      if (this.mode === 'body') this.flushRun(buf, start)
      this.runStart = buf.length
      this.carried = this.gts + this.matched
      return i
    }
    const { gts, matched, carried } = this
    this.gts = this.matched = this.carried = 0
    this.atLineStart = false
    const fromLike = matched === FROM_BYTES.length
    if (fromLike && gts === 0) {
      if (this.mode === 'body') {
        this.flushRun(buf, start)
        this.finishMessage()
      }
      this.beginFromLine()
      return i
    }
    if (this.mode === 'preamble') {
      if (gts + matched > 0) this.garbageStart ??= this.lineOffset
      return i
    }
    const drop = fromLike && (this.options.variant === 'mboxrd' || gts === 1) ? 1 : 0
    if (carried > 0) {
      this.message?.push(this.pendingPrefix(drop, carried, gts))
    } else if (drop === 1) {
      this.flushRun(buf, start)
      this.runStart = start + 1
    }
    return i
  }

  /** The first `carried` bytes of `>`×gts + `From `, less `drop` leading `>`s. */
  private pendingPrefix(drop: number, carried = this.carried, gts = this.gts): Buffer {
    const gtsCarried = Math.min(carried, gts)
    return Buffer.concat([
      Buffer.alloc(gtsCarried - drop, '>'),
      FROM_BYTES.subarray(0, carried - gtsCarried),
    ])
  }

  /**
   * Moves to the next line that starts with `F` or `>`, past any number of others: the per-line work is
   * what bounds the speed on files of very short lines.
   */
  private skipBodyLines(buf: Buffer, i: number): number {
    if (this.nextLfF !== -1 && this.nextLfF < i) this.nextLfF = buf.indexOf(LF_F, i)
    if (this.nextLfGt !== -1 && this.nextLfGt < i) this.nextLfGt = buf.indexOf(LF_GT, i)
    const next =
      this.nextLfF < 0
        ? this.nextLfGt
        : this.nextLfGt < 0
          ? this.nextLfF
          : Math.min(this.nextLfF, this.nextLfGt)
    if (next >= 0) {
      this.atLineStart = true
      return next + 1
    }
    // A line ending as the chunk's last byte starts a line in the next chunk.
    if (buf[buf.length - 1] === LF) this.atLineStart = true
    return buf.length
  }

  private scanPreambleLine(buf: Buffer, i: number): number {
    const nl = buf.indexOf(LF, i)
    const end = nl < 0 ? buf.length : nl
    if (this.garbageStart === undefined) {
      for (let j = i; j < end; j++) {
        const byte = buf[j]
        // Blank lines (spaces, tabs, CR) before the first From_ line are allowed.
        if (byte !== 0x20 && byte !== 0x09 && byte !== CR) {
          this.garbageStart = this.lineOffset
          break
        }
      }
    }
    if (nl < 0) return buf.length
    this.atLineStart = true
    return nl + 1
  }

  private beginFromLine(): void {
    this.fromInPreamble = this.mode === 'preamble'
    this.mode = 'fromLine'
    this.fromOffset = this.lineOffset
    this.fromBytes = [FROM_BYTES]
    this.fromLength = FROM_BYTES.length
    this.fromLast = FROM_BYTES[FROM_BYTES.length - 1]
  }

  private scanFromLine(buf: Buffer, i: number): number {
    const nl = buf.indexOf(LF, i)
    const end = nl < 0 ? buf.length : nl
    if (end > i) {
      const keep = Math.min(end - i, MAX_FROM_LINE_BYTES - this.fromLength)
      if (keep > 0) this.fromBytes.push(buf.subarray(i, i + keep))
      this.fromLength += end - i
      this.fromLast = buf[end - 1]
    }
    if (nl < 0) return buf.length
    this.endFromLine()
    this.runStart = nl + 1
    return nl + 1
  }

  private endFromLine(): void {
    const crlf = this.fromLast === CR
    const text = Buffer.concat(this.fromBytes).toString('utf8').replace(/\r$/, '')
    this.fromBytes = []
    this.atLineStart = true
    if (this.fromInPreamble && this.garbageStart !== undefined) {
      if (this.fromLength > MAX_FROM_LINE_BYTES || !isStrictFromLine(text)) {
        this.mode = 'preamble' // a `From ` line inside the garbage: more garbage
        return
      }
      if (this.fromOffset - this.garbageStart > MAX_PREAMBLE_BYTES) throw this.notAnMbox()
      this.reportGarbage(this.garbageStart, this.fromOffset)
    }
    this.mode = 'body'
    const index = this.nextIndex++
    const limit = this.options.maxMessageBytes
    this.message = new MboxMessageBuffer(index, this.fromOffset, text, crlf, limit)
  }

  private reportGarbage(start: number, end: number): void {
    const where = `bytes ${start}-${end - 1}, before the first message`
    const reason = `${end - start} bytes that are not part of any message were skipped`
    const error = MailboxError.IMPORT_MESSAGE_INVALID(this.options.file, where, reason)
    this.out.push({ index: this.nextIndex++, offset: start, error })
  }

  private flushRun(buf: Buffer, end: number): void {
    if (end > this.runStart) this.message?.push(buf.subarray(this.runStart, end))
    this.runStart = end
  }

  private finishMessage(): void {
    if (this.message === undefined) return
    this.out.push(this.message.finish(this.options.file))
    this.message = undefined
  }

  /**
   * Gives up on a file once its leading garbage is known to exceed the bound, with the same outcome however
   * the input is chunked: the garbage runs at least to the end of the chunk, except while a From_ line that
   * may end it is being read, when it runs to that line.
   */
  private checkPreamble(): void {
    if (this.garbageStart === undefined) return
    const candidate = this.mode === 'fromLine' && this.fromInPreamble
    if (this.mode !== 'preamble' && !candidate) return
    const mayEndAtFromLine = candidate && this.fromLength <= MAX_FROM_LINE_BYTES
    const garbageEnd = mayEndAtFromLine ? this.fromOffset : this.base
    if (garbageEnd - this.garbageStart > MAX_PREAMBLE_BYTES) throw this.notAnMbox()
  }

  private notAnMbox(): MailboxError {
    return MailboxError.IMPORT_FORMAT(
      this.options.file,
      'not an mbox file: it does not start with a "From " line, and no message follows within the ' +
        `first ${MAX_PREAMBLE_BYTES / 1024} KiB`,
    )
  }
}
