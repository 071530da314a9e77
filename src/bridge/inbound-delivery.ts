import { newMessageId } from '../mailbox/ids.js'
import type { Mailbox } from '../mailbox/index.js'
import type { SyncEngine } from '../sync/index.js'
import { stateNames } from '../sync/state-names.js'
import { DurableFlush } from './durable.js'
import { BridgeError } from './errors.js'

/** What inbound delivery is built from: the bridge node's mailbox (state only), engine and disk. */
export interface InboundDeliveryComponents {
  mailbox: Mailbox
  sync: SyncEngine
  /** Forces the node's stores to disk. */
  flush(): Promise<void>
}

/**
 * Hands ordinary mail to accounts: sealed into the bridge's pair log to each (the envelope opens only
 * with the account's keys; the bridge keeps no copy), then flushed to disk. When `deliver` resolves the
 * mail is durable, and only then may SMTP say `250`.
 *
 * Mail is sealed at once or not at all: the bridge never queues a message to seal later, because a
 * queue would have to keep the plaintext. An account whose profile (its sealing keys) the bridge has
 * not seen yet is "not ready", and the sending server is told to try again later.
 */
/** Most messages sealed in one batch (one append per account log). */
const MAX_BATCH = 64

interface Waiting {
  raw: Buffer
  accounts: Buffer[]
  resolve(): void
  reject(err: unknown): void
}

export class InboundDelivery {
  private readonly durable: DurableFlush
  private readonly waiting: Waiting[] = []
  private sealing = false
  // Accounts whose profile the bridge holds: it keeps profiles once seen, so a yes stays a yes, and RCPT
  // and DATA need not read the state for every message.
  private readonly known = new Set<string>()

  constructor(private readonly components: InboundDeliveryComponents) {
    this.durable = new DurableFlush(() => components.flush())
  }

  /** True when mail for `account` can be sealed now (the bridge holds its signed profile). */
  async ready(account: Buffer): Promise<boolean> {
    const hex = account.toString('hex')
    if (this.known.has(hex)) return true
    if ((await this.components.mailbox.state.get(stateNames.peer(hex))) === undefined) return false
    this.known.add(hex)
    return true
  }

  /**
   * Seals `raw` to every account, appends it to their pair logs and flushes; throws NOT_READY. Messages
   * arriving while a batch is sealed and synced go together in the next one: the cost is per append and
   * per sync, not per byte (stack-notes.md), so parallel SMTP sessions share them.
   */
  async deliver(raw: Buffer, accounts: Buffer[]): Promise<void> {
    for (const account of accounts)
      if (!(await this.ready(account))) throw BridgeError.NOT_READY('account keys not known yet')
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ raw, accounts, resolve, reject })
      this.pump()
    })
  }

  private pump(): void {
    if (this.sealing) return
    this.sealing = true
    void (async () => {
      try {
        while (this.waiting.length > 0) {
          const batch = this.waiting.splice(0, MAX_BATCH)
          let sealed: Waiting[]
          try {
            sealed = await this.seal(batch)
          } catch (err) {
            for (const item of batch) item.reject(err)
            continue
          }
          // Group commit: the next batch is sealed once this one is on disk, so the messages that came
          // in meanwhile share one append and one sync.
          try {
            await this.durable.request()
          } catch (err) {
            for (const item of sealed) item.reject(err)
            continue
          }
          for (const item of sealed) item.resolve()
        }
      } finally {
        this.sealing = false
      }
    })()
  }

  // One engine send for the batch; a message that could not be sealed for every account is refused.
  private async seal(batch: Waiting[]): Promise<Waiting[]> {
    const { mailbox, sync } = this.components
    // Whatever receipt bookkeeping the engine asks for is stored (none from the bridge's engine, which
    // runs with trackReceipts false); the ids would name the messages there only, no message is stored.
    const unsealed = new Set(
      await sync.send(
        batch.map((item) => ({ raw: item.raw, peers: item.accounts })),
        async (changesFor) => {
          const state = batch.flatMap((_, i) => changesFor(i, newMessageId()))
          if (state.length > 0) await mailbox.commit({ state })
        },
        // A failed send means no `250` (the client retries), so a commit need not wait for the append.
        { storeAlongside: true, sealNowOnly: true },
      ),
    )
    for (const i of unsealed)
      batch[i]?.reject(BridgeError.NOT_READY('an account was busy; try again'))
    return batch.filter((_, i) => !unsealed.has(i))
  }
}
