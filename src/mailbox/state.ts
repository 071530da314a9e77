import type { Batch } from 'hyperbee'
import { MailboxError } from './errors.js'
import { key } from './index-keys.js'
import type { LiveReads } from './live-reads.js'

/** One change to the kept state: a value to store, or `null` to delete the name. */
export interface StateChange {
  name: string
  value: unknown
}

/** A stored state entry. */
export interface StateEntry {
  name: string
  value: unknown
}

const MAX_NAME_LENGTH = 512

/**
 * Small named values that the layers above keep in the mailbox index, so they change in the same batch
 * as the mail they describe (a delivery cursor moves with the messages it delivered, an outbound queue
 * entry goes with the message it queued). The mailbox stores them without knowing what they mean.
 * Names are printable strings; `list(prefix)` returns every name that starts with `prefix`, in order.
 */
export class MailboxState {
  constructor(
    private readonly reads: LiveReads,
    private readonly assertOpen: () => void,
  ) {}

  /** The value stored under `name`, or undefined. */
  async get(name: string): Promise<unknown> {
    this.assertOpen()
    const k = stateKey(name)
    return this.reads.read(async (index) => (await index.get(k))?.value)
  }

  /**
   * Every entry whose name starts with `prefix`, in name order: at most `limit`, only names before
   * `until` and from `from` on when given (so a caller reading part of a prefix does not scan the rest).
   */
  async list(
    prefix: string,
    limit = Infinity,
    until?: string,
    from?: string,
  ): Promise<StateEntry[]> {
    this.assertOpen()
    const start = stateKey(from ?? prefix)
    const end = until === undefined ? start + '\uffff' : stateKey(until)
    const range = { gte: start, lt: end, ...(limit < Infinity ? { limit } : {}) }
    return this.reads.read(async (index) => {
      const out: StateEntry[] = []
      for await (const entry of index.createReadStream(range)) {
        out.push({ name: entry.key.slice(PREFIX.length), value: entry.value })
      }
      return out
    })
  }
}

const PREFIX = key('st', '')

function stateKey(name: string): string {
  if (
    typeof name !== 'string' ||
    name.length > MAX_NAME_LENGTH ||
    // eslint-disable-next-line no-control-regex
    /[\x00-\x1f\x7f\uffff]/.test(name)
  ) {
    throw MailboxError.INVALID_ARGUMENT('state name must be printable and at most 512 characters')
  }
  return PREFIX + name
}

/** Writes state changes into an index batch (checked before anything is written). */
export async function stageState(batch: Batch<unknown>, changes: StateChange[]): Promise<void> {
  const keys = changes.map((change) => stateKey(change.name))
  for (const [i, change] of changes.entries()) {
    const k = keys[i] as string
    if (change.value === null || change.value === undefined) await batch.del(k)
    else await batch.put(k, change.value)
  }
}
