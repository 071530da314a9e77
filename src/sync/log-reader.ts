import type Hypercore from 'hypercore'
import type { EnvelopeKeyring } from '../crypto/index.js'
import { CHUNK_BYTES, decodeFrame, type BlockFrame } from './frames.js'
import { openBlock } from './pair-log.js'
import { RejectCode } from './wire.js'

/** What the blocks starting at one position hold. */
export type LogItem =
  /** A whole mail in blocks `start..last`. */
  | { kind: 'mail'; start: number; last: number; mail: Buffer; stamp?: Buffer }
  /** Blocks `start..last` are refused as a unit. */
  | { kind: 'reject'; start: number; last: number; code: RejectCode }
  /** Asked to read only what is on disk, and some of the item's blocks are not. */
  | { kind: 'missing' }

/**
 * Reads mails out of a sender's pair log (docs/protocol.md §12): opens each block's envelope for its
 * position, decodes its frame and joins multi-block mails. Anything that does not open or does not fit
 * is reported as a refused range, so one bad block never stops the mail after it.
 */
export class LogReader {
  /** Blocks being read ahead, by position, for {@link frameAt} to take (see {@link readAhead}). */
  private readonly ahead = new Map<number, Promise<Buffer | null>>()

  constructor(
    private readonly core: Hypercore,
    private readonly sender: Buffer,
    private readonly keyring: EnvelopeKeyring,
    private readonly maxMessageBytes: number,
  ) {}

  /**
   * The item at `start`, reading no further than `end` (the log length known now). `prefetch` is asked
   * for the blocks of a multi-block mail before they are read.
   */
  async read(
    start: number,
    end: number,
    prefetch: (from: number, to: number) => void = () => {},
    localOnly = false,
  ): Promise<LogItem> {
    // A log's length is what a peer signed, not what anyone connected holds (a relay may hold part):
    // past the first item of a batch, only what is on disk is read, so stored mail is never held up.
    if (localOnly && !(await this.core.has(start))) return { kind: 'missing' }
    const first = await this.frameAt(start)
    if (!first || first.kind === 'next') return reject(start, start, RejectCode.MALFORMED)
    if (first.kind === 'whole') return mail(start, start, first.mail, first.stamp)
    const last = start + first.parts - 1
    // A mail's blocks are appended in one call, so the log's length never splits one: a first block
    // claiming parts beyond the end lies, and only it is refused (the cursor never passes the length).
    if (last >= end) return reject(start, start, RejectCode.MALFORMED)
    // Too large is known from the first block: its other blocks are skipped, never fetched.
    if (first.total > this.maxMessageBytes) return reject(start, last, RejectCode.TOO_LARGE)
    if (localOnly && !(await this.core.has(start, last + 1))) return { kind: 'missing' }
    prefetch(start + 1, last + 1)
    const chunks = [first.chunk]
    for (let seq = start + 1; seq <= last; seq++) {
      const part = await this.frameAt(seq)
      // A part out of place ends this mail; the block is read again as the start of the next item.
      // Every part but the last is full, as the sender's framing makes them.
      if (
        !part ||
        part.kind !== 'next' ||
        part.index !== seq - start ||
        (seq < last && part.chunk.byteLength !== CHUNK_BYTES)
      )
        return reject(start, seq - 1, RejectCode.MALFORMED)
      chunks.push(part.chunk)
    }
    const whole = Buffer.concat(chunks)
    if (whole.byteLength !== first.total) return reject(start, last, RejectCode.MALFORMED)
    return mail(start, last, whole, first.stamp)
  }

  /**
   * Starts reading the blocks `from..to` that are already on disk, all at once: the storage layer makes
   * concurrent reads one RocksDB read, where reading them one after another costs a read (and its
   * main-thread work) per block. Blocks before `from` are no longer wanted and are let go.
   */
  readAhead(from: number, to: number): void {
    for (const seq of this.ahead.keys()) if (seq < from) this.ahead.delete(seq)
    for (let seq = from; seq < to; seq++) {
      // A failed read (the log closing) is only a block to read again, never an unhandled rejection.
      if (!this.ahead.has(seq))
        this.ahead.set(
          seq,
          this.core.get(seq, { wait: false }).catch(() => null),
        )
    }
  }

  private async frameAt(seq: number): Promise<BlockFrame | undefined> {
    const early = this.ahead.get(seq)
    this.ahead.delete(seq)
    // Not on disk when read ahead (or the read failed): read it now, waiting for it as before.
    const block = (await early) ?? (await this.core.get(seq))
    if (!block) return undefined
    try {
      const logKey = this.core.key as Buffer
      return decodeFrame(openBlock(block, { logKey, seq }, this.sender, this.keyring))
    } catch {
      return undefined
    }
  }
}

function reject(start: number, last: number, code: RejectCode): LogItem {
  return { kind: 'reject', start, last, code }
}

function mail(start: number, last: number, bytes: Buffer, stamp: Buffer | undefined): LogItem {
  return stamp
    ? { kind: 'mail', start, last, mail: bytes, stamp }
    : { kind: 'mail', start, last, mail: bytes }
}
