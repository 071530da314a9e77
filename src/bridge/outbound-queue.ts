import type { Mailbox } from '../mailbox/index.js'
import { PassRunner } from '../shared/pass-runner.js'
import type { Failure } from './bounce.js'
import type { Relay } from './smarthost.js'

/** One submitted mail waiting to leave, under `bridge/out/<message id>` in the bridge's state. */
export interface QueueEntry {
  /** The submitting account (identity key, hex). */
  account: string
  /** The From alias, used as the envelope sender. */
  alias: string
  /** The submission's envelope id, named in its delivery reports (absent from older accounts). */
  envid?: string
  /** Recipients still to deliver to. */
  pending: string[]
  /** Recipients accepted by their destination and not reported yet (absent in older entries). */
  delivered?: string[]
  /** Recipients refused for good and not reported yet. */
  failures: Failure[]
  attempts: number
  nextAt: number
}

export interface OutboundQueueOptions {
  /** Waits between attempts, ms; after the last one the mail bounces. Default 1 m, 5 m, 15 m, 1 h, 4 h, 12 h, 24 h, 48 h. */
  retryDelaysMs?: number[]
  /** Deliveries in flight at once. Default 4. */
  concurrency?: number
}

export interface OutboundQueueComponents {
  mailbox: Mailbox
  relay: Relay
  /** The bytes to send for a queued message (read, checked and DKIM-signed at each attempt). */
  load(id: string): Promise<Buffer | undefined>
  /**
   * Recipients were settled (`delivered`, `failures`): tell the account. Resolves once the report is
   * durably sealed; only then does the entry stop listing them.
   */
  report(id: string, entry: QueueEntry): Promise<void>
  /** Nothing is pending any more: forget the message. */
  settle(id: string): Promise<void>
  now?: () => number
  log?: (event: string, detail: Record<string, unknown>) => void
}

const PREFIX = 'bridge/out/'
const DEFAULT_DELAYS = [
  60e3,
  300e3,
  900e3,
  3600e3,
  4 * 3600e3,
  12 * 3600e3,
  24 * 3600e3,
  48 * 3600e3,
]

/**
 * The bridge's persistent outbound queue. Entries live in the bridge's encrypted mailbox state, beside
 * the submitted message itself, so a restart resumes every delivery. Each attempt sends to the
 * recipients still pending; 5xx replies fail a recipient for good, anything else is retried after the
 * next delay, and when the delays run out the remaining recipients fail too. Recipients settled by an
 * attempt (accepted, or failed for good) are reported to the account after it, and leave the entry
 * only once that report is sealed.
 */
export class OutboundQueue {
  private readonly delays: number[]
  private readonly concurrency: number
  private readonly now: () => number
  private readonly log: (event: string, detail: Record<string, unknown>) => void
  private readonly busy = new Set<string>()
  private timer: NodeJS.Timeout | null = null
  /** Passes over what is due: something queued while one runs asks for another after it. */
  private readonly passes = new PassRunner(
    () => this.pass(),
    () => this.closed,
    (err) => {
      this.log('outbound-failed', { message: String(err) })
    },
  )
  private closed = false

  constructor(
    private readonly components: OutboundQueueComponents,
    options: OutboundQueueOptions = {},
  ) {
    this.delays = options.retryDelaysMs ?? DEFAULT_DELAYS
    this.concurrency = options.concurrency ?? 4
    this.now = components.now ?? Date.now
    this.log = components.log ?? (() => {})
  }

  /** True when message `id` is queued (or was settled and forgotten: then false). */
  async has(id: string): Promise<boolean> {
    return (await this.components.mailbox.state.get(PREFIX + id)) !== undefined
  }

  /** Queues message `id` for delivery now. */
  async add(
    id: string,
    entry: Omit<QueueEntry, 'attempts' | 'nextAt' | 'failures' | 'delivered'>,
  ): Promise<void> {
    const full: QueueEntry = {
      ...entry,
      delivered: [],
      failures: [],
      attempts: 0,
      nextAt: this.now(),
    }
    await this.components.mailbox.commit({ state: [{ name: PREFIX + id, value: full }] })
    this.kick()
  }

  /** Number of messages waiting. */
  async length(): Promise<number> {
    return (await this.components.mailbox.state.list(PREFIX)).length
  }

  /** Runs a pass over what is due; safe to call at any time. */
  kick(): void {
    this.passes.kick()
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    await this.passes.idle()
    this.components.relay.close()
  }

  private async pass(): Promise<void> {
    const now = this.now()
    let earliest = Infinity
    const due: [string, QueueEntry][] = []
    for (const { name, value } of await this.components.mailbox.state.list(PREFIX)) {
      const entry = value as QueueEntry
      const id = name.slice(PREFIX.length)
      if (this.busy.has(id)) continue
      if (entry.nextAt <= now) due.push([id, entry])
      else earliest = Math.min(earliest, entry.nextAt)
    }
    for (let i = 0; i < due.length && !this.closed; i += this.concurrency) {
      await Promise.all(
        due.slice(i, i + this.concurrency).map(([id, e]) => this.attemptOrDefer(id, e)),
      )
    }
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    // Entries retried just now have their next time set: look again for the earliest.
    for (const { value } of await this.components.mailbox.state.list(PREFIX))
      earliest = Math.min(earliest, (value as QueueEntry).nextAt)
    if (earliest < Infinity && !this.closed) {
      this.timer = setTimeout(
        () => {
          this.kick()
        },
        Math.max(0, earliest - this.now()),
      )
      this.timer.unref()
    }
  }

  // A failure of our own (a disk error, a bounce that could not be sealed yet) defers the entry by
  // the first delay, so one bad entry neither stalls the others nor spins.
  private async attemptOrDefer(id: string, entry: QueueEntry): Promise<void> {
    try {
      await this.attempt(id, entry)
    } catch (err) {
      this.log('outbound-deferred', { id, message: String(err) })
      // Deferred as last written, not as this attempt began: recipients it already reached must not
      // be sent to again. No entry left means it was settled after all.
      const latest = (await this.components.mailbox.state
        .get(PREFIX + id)
        .catch(() => undefined)) as QueueEntry | undefined
      if (!latest) return
      const nextAt = this.now() + (this.delays[0] ?? 60_000)
      await this.commit(id, { ...latest, nextAt }).catch(() => {})
    }
  }

  private async attempt(id: string, entry: QueueEntry): Promise<void> {
    this.busy.add(id)
    try {
      let next = entry
      if (entry.pending.length > 0) {
        next = await this.send(id, entry)
        // Written before reporting: a crash or a failed report never sends to anyone twice.
        await this.commit(id, next)
      }
      // Recipients settled so far are reported at once, not when the last one settles (which may be
      // days of retries later). They leave the entry only after the report is sealed: a crash in
      // between reports them again, which the account takes as the no-op it is.
      if ((next.delivered ?? []).length > 0 || next.failures.length > 0) {
        await this.components.report(id, next)
        next = { ...next, delivered: [], failures: [] }
        if (next.pending.length > 0) await this.commit(id, next)
      }
      if (next.pending.length > 0) return
      await this.components.settle(id)
      await this.commit(id, null)
    } finally {
      this.busy.delete(id)
    }
  }

  private async commit(id: string, entry: QueueEntry | null): Promise<void> {
    await this.components.mailbox.commit({ state: [{ name: PREFIX + id, value: entry }] })
  }

  // One attempt to the recipients still pending; returns the entry as it stands after it.
  private async send(id: string, entry: QueueEntry): Promise<QueueEntry> {
    const raw = await this.components.load(id)
    // The message is gone (deleted by hand): nothing left to send.
    if (!raw) return { ...entry, pending: [] }
    const result = await this.components.relay.send(raw, entry.alias, entry.pending)
    const attempts = entry.attempts + 1
    const delay = this.delays[attempts - 1]
    const giveUp = delay === undefined
    this.log('outbound-attempt', {
      id,
      accepted: result.accepted.length,
      permanent: result.permanent.length,
      temporary: result.temporary.length,
      attempts,
    })
    return {
      ...entry,
      attempts,
      pending: giveUp ? [] : result.temporary.map((t) => t.recipient),
      delivered: [...(entry.delivered ?? []), ...result.accepted],
      failures: [
        ...entry.failures,
        ...result.permanent,
        ...(giveUp
          ? result.temporary.map((t) => ({
              recipient: t.recipient,
              reason: `gave up after ${attempts} attempts: ${t.reason}`,
            }))
          : []),
      ],
      nextAt: this.now() + (delay ?? 0),
    }
  }
}
