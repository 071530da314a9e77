import { randomBytes } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BridgeError } from './errors.js'

/** What `peermail bridge status` shows: read from the file a running bridge keeps up to date. */
export interface BridgeStatus {
  pid: number
  startedAt: string
  updatedAt: string
  /** Set when the bridge closed cleanly. */
  stoppedAt?: string
  address: string
  domain: string
  smtpPort: number
  aliases: { alias: string; account: string }[]
  /** Outbound mails waiting for delivery or a retry. */
  queue: number
  /** Since the bridge started. */
  totals: { inbound: number; outboundDelivered: number; outboundBounced: number; deferred: number }
  /** The latest deliveries, newest first: counts and sizes only, never contents or addresses. */
  recent: { at: string; event: string; detail: Record<string, number> }[]
}

const STATUS_FILE = 'status.json'
const RECENT = 20
/** Rewrites come at most this often: a busy bridge must not spend its disk on its own status. */
const WRITE_EVERY_MS = 1000

/** What the status is built from, besides the events it hears. */
export interface StatusSources {
  address: string
  domain: string
  smtpPort: number
  aliases(): { alias: string; account: string }[]
  queueLength(): Promise<number>
  now?: () => number
}

/**
 * The bridge's status file (`status.json` in its home): a running bridge rewrites it (whole, then renamed
 * into place) when something happens, at most once a second, so an operator can ask how it is doing
 * without a second process opening its store. It holds what the logs hold: counts and sizes, the aliases
 * (the operator's own data), no message contents.
 */
export class StatusFile {
  private readonly path: string
  private readonly now: () => number
  private readonly status: BridgeStatus
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> = Promise.resolve()

  constructor(
    home: string,
    private readonly sources: StatusSources,
  ) {
    this.path = join(home, STATUS_FILE)
    this.now = sources.now ?? Date.now
    const at = new Date(this.now()).toISOString()
    this.status = {
      pid: process.pid,
      startedAt: at,
      updatedAt: at,
      address: sources.address,
      domain: sources.domain,
      smtpPort: sources.smtpPort,
      aliases: [],
      queue: 0,
      totals: { inbound: 0, outboundDelivered: 0, outboundBounced: 0, deferred: 0 },
      recent: [],
    }
  }

  /** Writes the first status. */
  start(): Promise<void> {
    return this.flush()
  }

  /** Hears a bridge log event; the ones about deliveries change the status. */
  record(event: string, detail: Record<string, unknown>): void {
    const counts = numbersOf(detail)
    const { totals } = this.status
    if (event === 'inbound') totals.inbound++
    else if (event === 'outbound-attempt') {
      totals.outboundDelivered += counts.accepted ?? 0
      totals.outboundBounced += counts.permanent ?? 0
    } else if (event === 'outbound-deferred') totals.deferred++
    else if (event !== 'alias') return
    this.status.recent.unshift({ at: new Date(this.now()).toISOString(), event, detail: counts })
    this.status.recent.length = Math.min(this.status.recent.length, RECENT)
    this.schedule()
  }

  /** Writes the final status (marked stopped). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.status.stoppedAt = new Date(this.now()).toISOString()
    await this.flush()
  }

  private schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.flush()
    }, WRITE_EVERY_MS)
    this.timer.unref()
  }

  private flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      this.status.aliases = this.sources.aliases()
      this.status.queue = await this.sources.queueLength().catch(() => this.status.queue)
      this.status.updatedAt = new Date(this.now()).toISOString()
      const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`
      try {
        await writeFile(temp, `${JSON.stringify(this.status, null, 2)}\n`, { mode: 0o600 })
        await rename(temp, this.path)
      } catch {
        // A status that could not be written is stale, not fatal: the bridge keeps carrying mail.
        await rm(temp, { force: true })
      }
    })
    return this.writing
  }
}

/** The status a bridge in `home` last wrote, or undefined when none has run there. */
export async function readBridgeStatus(home: string): Promise<BridgeStatus | undefined> {
  let text: string
  try {
    text = await readFile(join(home, STATUS_FILE), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let status: BridgeStatus
  try {
    status = JSON.parse(text) as BridgeStatus
  } catch {
    status = {} as BridgeStatus
  }
  if (typeof status !== 'object' || typeof status.pid !== 'number' || !Array.isArray(status.recent))
    throw BridgeError.INVALID_OPTIONS(
      `${join(home, STATUS_FILE)} is not a bridge status (the bridge rewrites it when it starts)`,
    )
  return status
}

function numbersOf(detail: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [name, value] of Object.entries(detail))
    if (typeof value === 'number') out[name] = value
  return out
}
