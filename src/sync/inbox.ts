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
  /** An ack for `peer`'s log is ready to send on any connection to them. */
  sendAck(peer: string, ack: Ack): void
}

interface Cursor {
  next: number
}

/** Most mails stored per mailbox batch, and most bytes read ahead of one. */
const MAX_BATCH_MESSAGES = 64
const MAX_BATCH_BYTES = 16 * 1024 * 1024
/** Blocks fetched ahead of the cursor: a peer's log is pulled as it is read, never all at once. */
const READ_AHEAD_BLOCKS = 512
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
  private running: Promise<void> | null = null
  private again = false
  private closed = false
  private downloadedTo = 0
  /** Blocks below this are cleared from disk (or were never kept). */
  private cleared = 0
  private retry: NodeJS.Timeout | null = null

  constructor(
    private readonly ctx: InboxContext,
    readonly sender: Buffer,
    readonly logKey: Buffer,
  ) {}

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
    this.cleared = Math.min(this.cursor, (await core.info()).contiguousLength)
    core.on('append', () => {
      this.kick()
    })
  }

  /** The sender (re)offered the log: note how far it has heard, answer with where we are. */
  async offered(ackedUpTo: number): Promise<void> {
    this.ackedUpTo = Math.max(this.ackedUpTo, Math.min(ackedUpTo, this.cursor))
    await this.pruneRejections()
    await this.sendAck()
    this.kick()
  }

  /** Processes whatever is new; safe to call at any time. */
  kick(): void {
    if (this.closed) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          while (!this.closed && (await this.step()));
        } while (this.hasMoreWork())
      } finally {
        this.running = null
      }
    })()
    this.running.catch(() => {
      // A failed store (mailbox closed under us, disk error) is retried on the next append or offer.
    })
  }

  // Something arrived while a pass was running (an append, an offer): run another pass.
  private hasMoreWork(): boolean {
    return this.again && !this.closed
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.retry) clearTimeout(this.retry)
    await this.core?.close()
    await this.running?.catch(() => {})
  }

  // One batch: read complete items from the cursor on, decide, store with the cursor move, ack.
  private async step(): Promise<boolean> {
    const core = this.core
    const reader = this.reader
    if (!core || !reader) return false
    const end = core.length
    if (this.cursor >= end) return false
    const ahead = Math.min(end, this.cursor + READ_AHEAD_BLOCKS)
    if (ahead > this.downloadedTo) {
      core.download({ start: Math.max(this.cursor, this.downloadedTo), end: ahead })
      this.downloadedTo = ahead
    }
    const inputs: AddMessageInput[] = []
    const lasts: number[] = []
    const rejections: Rejection[] = []
    const contacts = new Map<string, Promise<Contact | undefined>>()
    let seq = this.cursor
    let bytes = 0
    while (seq < end && inputs.length < MAX_BATCH_MESSAGES && bytes < MAX_BATCH_BYTES) {
      const item = await reader.read(
        seq,
        end,
        (from, to) => {
          this.prefetch(from, to)
        },
        seq > this.cursor,
      )
      if (this.closed || item.kind === 'missing') break
      if (item.kind === 'reject') {
        rejections.push({ seq: item.last, code: item.code, difficulty: this.difficulty() })
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
        rejections.push({ seq: item.last, code: admission.code, difficulty: this.difficulty() })
      } else {
        inputs.push({
          raw: item.mail,
          folder: admission.folder,
          peer: encodeAddress(this.sender),
          expectFrom: peerMailAddress(this.sender),
        })
        lasts.push(item.last)
        bytes += item.mail.byteLength
      }
      seq = item.last + 1
    }
    if (seq === this.cursor || this.closed) return false
    const next = seq
    const results = await this.ctx.mailbox.addMany(inputs, {
      state: (added) => this.stateChanges(next, rejections, lasts, added),
    })
    this.cursor = next
    // What is stored needs no second copy: the blocks below the cursor are dropped from this disk, but
    // only once the log is read to its end. Clearing while a download range of the same core is in
    // flight can leave a later block never fetched (seen here with hypercore 11.37), stalling the log.
    if (next >= core.length && next > this.cleared) {
      await core.clear(this.cleared, next).catch(() => {})
      this.cleared = next
    }
    const fresh = results.flatMap((r) => (r.ok && !r.duplicate ? [r.summary] : []))
    if (fresh.length > 0) this.ctx.onMail(fresh)
    await this.sendAck()
    return true
  }

  // The cursor move, plus a rejection for every refused mail (including ones the mailbox refused).
  private stateChanges(
    next: number,
    rejections: Rejection[],
    lasts: number[],
    added: AddResult[],
  ): StateChange[] {
    const all = [...rejections]
    for (const [i, result] of added.entries()) {
      if (result.ok) continue
      const code = REJECT_FOR[result.error.code] ?? RejectCode.MALFORMED
      all.push({ seq: lasts[i] ?? next - 1, code, difficulty: this.difficulty() })
    }
    return [
      { name: stateNames.inLog(this.name), value: { next } satisfies Cursor },
      ...all.map((r) => ({
        name: stateNames.rejected(this.name, r.seq),
        value: { code: r.code, difficulty: r.difficulty },
      })),
    ]
  }

  // An ack lists at most MAX_REJECTIONS_PER_ACK refusals; if more are outstanding it stops short of the
  // first one that does not fit, so nothing unlisted below its length is taken for delivered.
  private async sendAck(): Promise<void> {
    const rejected: Rejection[] = []
    let length = this.cursor
    for (const { name, value } of await this.ctx.mailbox.state.list(
      stateNames.rejectedPrefix(this.name),
    )) {
      const seq = seqOf(name)
      if (seq < this.ackedUpTo || seq >= this.cursor) continue
      if (rejected.length === MAX_REJECTIONS_PER_ACK) {
        length = seq
        break
      }
      const { code, difficulty } = value as { code: RejectCode; difficulty: number }
      rejected.push({ seq, code, difficulty })
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
    const stale = (
      await this.ctx.mailbox.state.list(stateNames.rejectedPrefix(this.name), 1000)
    ).filter(({ name }) => seqOf(name) < this.ackedUpTo)
    if (stale.length > 0)
      await this.ctx.mailbox.commit({ state: stale.map(({ name }) => ({ name, value: null })) })
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
