import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import { encodeAddress, type EnvelopeKeyring } from '../crypto/index.js'
import type {
  AddMessageInput,
  Contact,
  AddResult,
  Mailbox,
  MessageSummary,
  StateChange,
} from '../mailbox/index.js'
import type { Admission } from './admission.js'
import { LogReader } from './log-reader.js'
import { peerMailAddress } from './peer-address.js'
import { PassRunner } from '../shared/pass-runner.js'
import { seqOf, stateNames } from './state-names.js'
import { MAX_REJECTIONS_PER_ACK, RejectCode, type Ack, type Rejection } from './wire.js'

export interface InboxContext {
  mailbox: Mailbox
  store: Corestore
  keyring: EnvelopeKeyring
  admission: Admission
  maxMessageBytes: number
  /** Someone's new mail is stored. */
  onMail(summaries: MessageSummary[]): void
  /** How far this log is read: `handled` of its `length` blocks (for progress bars on catch-up). */
  onProgress?(handled: number, length: number): void
  /** An ack for `peer`'s log is ready to send on any connection to them. */
  sendAck(peer: string, ack: Ack): void
}

interface Cursor {
  next: number
}

/** A batch on its way to the mailbox: its write, and everything after it (the events, the ack). */
interface Stored {
  written: Promise<unknown>
  done: Promise<void>
}

/** What one read of the log yields: mails to store, refusals, and where the next read starts. */
interface Batch {
  next: number
  inputs: AddMessageInput[]
  /** The last block of each input's mail. */
  lasts: number[]
  rejections: Rejection[]
}

/** Most mails stored per mailbox batch, and most bytes read ahead of one. */
const MAX_BATCH_MESSAGES = 64
const MAX_BATCH_BYTES = 16 * 1024 * 1024
/** Blocks fetched ahead of the cursor: a peer's log is pulled as it is read, never all at once. */
const READ_AHEAD_BLOCKS = 512
/**
 * Stored blocks are cleared from disk in bulk: a clear is a storage write of its own, not worth making for
 * each lone mail of a conversation. Fewer wait until the log has been quiet this long.
 */
const CLEAR_BATCH_BLOCKS = 64
const CLEAR_IDLE_MS = 5_000
/** How the mailbox's refusals are told to the sender. */
const REJECT_FOR: Partial<Record<string, RejectCode>> = {
  MESSAGE_TOO_LARGE: RejectCode.TOO_LARGE,
  MAILBOX_FROM_MISMATCH: RejectCode.FROM_MISMATCH,
}

/** Logs one sender may have to us (one per device; more is abuse). */
export const MAX_LOGS_PER_SENDER = 16

/**
 * The receiving side of one sender's pair log (docs/protocol.md §13): reads new blocks past our cursor,
 * stores each mail with the cursor move in one mailbox batch (so a restart neither loses nor repeats one),
 * then acks. Ingests are keyed by sender and log, so a peer offering someone else's log key gets its own
 * cursor and can never move theirs.
 */
export class LogIngest {
  private core: Hypercore | null = null
  private reader: LogReader | null = null
  private cursor = 0
  private ackedUpTo = 0
  /** Passes over the log: a kick while one runs (an append, an offer) asks for another after it. */
  private readonly passes = new PassRunner(
    () => this.drain(),
    () => this.closed,
    () => {
      // A failed store (mailbox closed under us, disk error) is retried on the next append or offer.
    },
  )
  private closed = false
  private downloadedTo = 0
  /** Blocks below this are cleared from disk (or were never kept). */
  private cleared = 0
  private retry: NodeJS.Timeout | null = null
  private clearTimer: NodeJS.Timeout | null = null
  /** The quiet period is over: the next pass clears whatever is stored, however little. */
  private clearDue = false
  /**
   * Our refusals the sender may not have heard yet, by the last block of what was refused: the `in/rej/`
   * state entries, mirrored here so that an ack (one per stored batch) needs no read of the index.
   * Changed only once the entries are written or deleted.
   */
  private readonly refusals = new Map<number, Rejection>()

  /** The sender's `pm1…` address and its header form, for every mail of the log. */
  private readonly senderAddress: string
  private readonly senderMailAddress: string

  constructor(
    private readonly ctx: InboxContext,
    readonly sender: Buffer,
    readonly logKey: Buffer,
  ) {
    this.senderAddress = encodeAddress(sender)
    this.senderMailAddress = peerMailAddress(sender)
  }

  get name(): string {
    return `${this.sender.toString('hex')}/${this.logKey.toString('hex')}`
  }

  async open(): Promise<void> {
    const core = this.ctx.store.get({ key: this.logKey })
    await core.ready()
    this.core = core
    this.reader = new LogReader(core, this.sender, this.ctx.keyring, this.ctx.maxMessageBytes)
    const saved = (await this.ctx.mailbox.state.get(stateNames.inLog(this.name))) as
      Cursor | undefined
    this.cursor = saved?.next ?? 0
    for (const { name, value } of await this.ctx.mailbox.state.list(
      stateNames.rejectedPrefix(this.name),
    )) {
      const { code, difficulty } = value as { code: RejectCode; difficulty: number }
      this.refusals.set(seqOf(name), { seq: seqOf(name), code, difficulty })
    }
    this.cleared = Math.min(this.cursor, (await core.info()).contiguousLength)
    core.on('append', () => {
      this.kick()
    })
  }

  /** The sender (re)offered the log: note how far it has heard, answer with where we are. */
  async offered(ackedUpTo: number): Promise<void> {
    this.ackedUpTo = Math.max(this.ackedUpTo, Math.min(ackedUpTo, this.cursor))
    await this.pruneRejections()
    this.sendAck()
    this.kick()
  }

  /** Processes whatever is new; safe to call at any time. */
  kick(): void {
    this.passes.kick()
  }

  // A method, not the field, so TypeScript does not narrow it across the awaits of a read.
  private isClosed(): boolean {
    return this.closed
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.retry) clearTimeout(this.retry)
    if (this.clearTimer) clearTimeout(this.clearTimer)
    await this.core?.close()
    await this.passes.idle()
  }

  /**
   * Reads and stores batches until the log is used up. Two deep: the next batch is read, opened, decided
   * and parsed while the one before it is written (a mailbox write mostly waits on storage), and each
   * store commits only after the one before it (`after`), so the cursor only ever moves forward over
   * stored mail. A failed store fails the one queued behind it; the next pass starts from the cursor.
   */
  private async drain(): Promise<void> {
    let from = this.cursor
    // Where a catch-up starts, so that progress can be shown against it.
    if (this.core && from < this.core.length) this.ctx.onProgress?.(from, this.core.length)
    let storing: Stored | null = null
    try {
      for (;;) {
        const batch = await this.readBatch(from)
        if (!batch) break
        const previous: Stored | null = storing
        storing = this.store(batch, previous?.written)
        from = batch.next
        if (previous) await previous.done
      }
    } finally {
      await storing?.done
    }
    await this.clearStored()
  }

  // What is stored needs no second copy: the blocks below the cursor are dropped from this disk, but only
  // once the log is read to its end and no read is under way (this runs after a pass). Clearing while a
  // download range of the same core is in flight can leave a later block never fetched (seen here with
  // hypercore 11.37), stalling the log. A few blocks wait for more, or for a quiet moment (a timer that
  // kicks a pass, so the clear still runs between reads).
  private async clearStored(): Promise<void> {
    const core = this.core
    const next = this.cursor
    if (!core || this.closed || next < core.length || next <= this.cleared) return
    if (next - this.cleared < CLEAR_BATCH_BLOCKS && !this.clearDue) {
      this.clearWhenQuiet()
      return
    }
    this.clearDue = false
    await core.clear(this.cleared, next).catch(() => {})
    this.cleared = next
  }

  private clearWhenQuiet(): void {
    if (this.clearTimer) clearTimeout(this.clearTimer)
    this.clearTimer = setTimeout(() => {
      this.clearTimer = null
      this.clearDue = true
      this.kick()
    }, CLEAR_IDLE_MS)
    this.clearTimer.unref()
  }

  // One batch: complete items from `from` on, each decided; null when there is nothing to take (or the
  // ingest closed meanwhile).
  private async readBatch(from: number): Promise<Batch | null> {
    const core = this.core
    const reader = this.reader
    if (!core || !reader || this.closed) return null
    const end = core.length
    if (from >= end) return null
    const ahead = Math.min(end, from + READ_AHEAD_BLOCKS)
    if (ahead > this.downloadedTo) {
      core.download({ start: Math.max(from, this.downloadedTo), end: ahead })
      this.downloadedTo = ahead
    }
    // Most mails are one block: the batch's blocks are read together rather than one by one.
    reader.readAhead(from, Math.min(end, from + MAX_BATCH_MESSAGES))
    const batch: Batch = { next: from, inputs: [], lasts: [], rejections: [] }
    const contacts = new Map<string, Promise<Contact | undefined>>()
    this.ctx.admission.prefetch(this.sender, contacts)
    let seq = from
    let bytes = 0
    while (seq < end && batch.inputs.length < MAX_BATCH_MESSAGES && bytes < MAX_BATCH_BYTES) {
      const item = await reader.read(
        seq,
        end,
        (start, to) => {
          this.prefetch(start, to)
        },
        seq > from,
      )
      if (this.isClosed() || item.kind === 'missing') break
      if (item.kind === 'reject') {
        batch.rejections.push({ seq: item.last, code: item.code, difficulty: this.difficulty() })
        seq = item.last + 1
        continue
      }
      const admission = await this.ctx.admission.decide(
        this.sender,
        item.mail,
        item.stamp,
        contacts,
      )
      if (!admission.ok && admission.code === 'later') {
        this.retryIn(admission.retryMs)
        break
      }
      if (!admission.ok) {
        batch.rejections.push({
          seq: item.last,
          code: admission.code,
          difficulty: this.difficulty(),
        })
      } else if (admission.folder === null) {
        // Taken by the layer above (a bridge's delivery report): stored nowhere, passed with the cursor.
      } else {
        batch.inputs.push({
          raw: item.mail,
          folder: admission.folder,
          peer: this.senderAddress,
          // A bridge's log carries ordinary mail: its From is the original sender, not the bridge.
          ...(this.ctx.admission.carriesMail(this.sender)
            ? {}
            : { expectFrom: this.senderMailAddress }),
        })
        batch.lasts.push(item.last)
        bytes += item.mail.byteLength
      }
      seq = item.last + 1
    }
    batch.next = seq
    return seq === from || this.isClosed() ? null : batch
  }

  // Stores a batch with the cursor move in one mailbox batch (after `previous` is written), then acks.
  private store(batch: Batch, previous: Promise<unknown> | undefined): Stored {
    const { next, inputs, lasts, rejections } = batch
    // Every refusal of the batch, the mailbox's own included: known once the write has them.
    let refused: Rejection[] = []
    const written = this.ctx.mailbox.addMany(inputs, {
      state: (added) => {
        refused = this.refusalsOf(next, rejections, lasts, added)
        return this.stateChanges(next, refused)
      },
      ...(previous ? { after: previous } : {}),
    })
    const done = this.stored(
      next,
      written.then((results) => {
        for (const r of refused) this.refusals.set(r.seq, r)
        return results
      }),
    )
    // Observed at once: a failure surfaces when the pass awaits it, never as an unhandled rejection.
    written.catch(() => {})
    done.catch(() => {})
    return { written, done }
  }

  private async stored(next: number, written: Promise<AddResult[]>): Promise<void> {
    const results = await written
    this.cursor = next
    const fresh = results.flatMap((r) => (r.ok && !r.duplicate ? [r.summary] : []))
    if (fresh.length > 0) this.ctx.onMail(fresh)
    if (this.core) this.ctx.onProgress?.(next, this.core.length)
    this.sendAck()
  }

  // The batch's refusals, plus one for every mail the mailbox refused.
  private refusalsOf(
    next: number,
    rejections: Rejection[],
    lasts: number[],
    added: AddResult[],
  ): Rejection[] {
    const all = [...rejections]
    for (const [i, result] of added.entries()) {
      if (result.ok) continue
      const code = REJECT_FOR[result.error.code] ?? RejectCode.MALFORMED
      all.push({ seq: lasts[i] ?? next - 1, code, difficulty: this.difficulty() })
    }
    return all
  }

  // The cursor move, plus a rejection entry for every refusal.
  private stateChanges(next: number, refused: Rejection[]): StateChange[] {
    return [
      { name: stateNames.inLog(this.name), value: { next } satisfies Cursor },
      ...refused.map((r) => ({
        name: stateNames.rejected(this.name, r.seq),
        value: { code: r.code, difficulty: r.difficulty },
      })),
    ]
  }

  // An ack lists at most MAX_REJECTIONS_PER_ACK refusals; if more are outstanding it stops short of the
  // first one that does not fit, so nothing unlisted below its length is taken for delivered.
  // Refusals at or past the cursor (a batch written but its cursor not moved yet) are left out: an ack
  // listing a refusal at or past its own length is malformed (the sender drops us for it).
  private sendAck(): void {
    const rejected: Rejection[] = []
    const cursor = this.cursor
    let length = cursor
    const outstanding = [...this.refusals.values()]
      .filter(({ seq }) => seq >= this.ackedUpTo && seq < cursor)
      .sort((a, b) => a.seq - b.seq)
    for (const refusal of outstanding) {
      if (rejected.length === MAX_REJECTIONS_PER_ACK) {
        length = refusal.seq
        break
      }
      rejected.push({ ...refusal })
    }
    this.ctx.sendAck(this.sender.toString('hex'), { logKey: this.logKey, length, rejected })
  }

  private prefetch(from: number, to: number): void {
    if (this.core && to > this.downloadedTo) {
      this.core.download({ start: Math.max(from, this.downloadedTo), end: to })
      this.downloadedTo = to
    }
  }

  // Rejections below what the sender has heard are no longer needed.
  private async pruneRejections(): Promise<void> {
    const stale = [...this.refusals.keys()].filter((seq) => seq < this.ackedUpTo).slice(0, 1000)
    if (stale.length === 0) return
    await this.ctx.mailbox.commit({
      state: stale.map((seq) => ({ name: stateNames.rejected(this.name, seq), value: null })),
    })
    for (const seq of stale) this.refusals.delete(seq)
  }

  private difficulty(): number {
    return this.ctx.admission.difficulty
  }

  private retryIn(ms: number): void {
    if (this.retry) return
    this.retry = setTimeout(() => {
      this.retry = null
      this.kick()
    }, ms)
    this.retry.unref()
  }
}
