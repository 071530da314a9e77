import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import Hyperbee from 'hyperbee'
import type Hyperswarm from 'hyperswarm'
import type { SwarmConnection } from 'hyperswarm'
import Protomux from 'protomux'
import type { SigningKeyPair } from '../crypto/index.js'
import { BoundedChannel } from './bounded-channel.js'
import { SyncError } from './errors.js'
import { KeyedLock } from './keyed-lock.js'
import { PenaltyBox } from './penalty-box.js'
import {
  RELAY_MESSAGES,
  RELAY_PROTOCOL,
  RelayRefusal,
  relayCodecs,
  verifyRegister,
  type Deposit,
  type RelayMessage,
} from './relay-wire.js'
import { decodeAck, MAX_CHANNEL_FRAME_BYTES, verifyAck, verifyOffer } from './wire.js'

export interface RelayComponents {
  /** Where held logs and the registry live. */
  store: Corestore
  /** A swarm whose keyPair is `identity`; the relay listens on it. */
  swarm: Hyperswarm
  identity: SigningKeyPair
  now?: () => number
  log?: (event: string, detail: Record<string, unknown>) => void
}

export interface RelayOptions {
  /** Bytes of pair logs held per account. Default 1 GiB. */
  quotaBytes?: number
  /** How long acknowledged blocks are kept before they are cleared (ms). Default 7 days. */
  graceMs?: number
  /** How long a deposit waits for the sender's log to reach the length it announced (ms). Default 30 s. */
  depositWaitMs?: number
}

interface AccountRecord {
  registeredAt: number
  usedBytes: number
}

/** A log held for a recipient, under `log/<recipient>/<sender>/<log key>`. */
interface LogRecord {
  signature: string
  /** Blocks held are `start`..`length` (those below `cleared` are gone from disk). */
  start: number
  length: number
  /** Bytes of the blocks on disk, counted against the recipient's quota. */
  bytes: number
  acked: number
  ackedAt: number
  cleared: number
  /** The recipient's last signed ack, to hand to the sender. */
  ack?: string
}

/** How long a client that broke the protocol is refused. */
const PENALTY_MS = 10 * 60 * 1000

/** A registration is accepted this far from the relay's clock. */
const REGISTER_WINDOW_MS = 24 * 3600 * 1000

/**
 * A relay (docs/protocol.md §15): a blind mirror that holds the pair logs addressed to the accounts
 * registered with it, within a quota each, and serves them when their owner comes online. It never has a
 * key that opens a block: it stores signed, sealed envelopes and signed offers, and hands signed acks
 * back to senders. Acknowledged blocks are cleared after a grace period.
 */
export class RelayServer {
  private readonly store: Corestore
  private readonly swarm: Hyperswarm
  private readonly identity: SigningKeyPair
  private readonly now: () => number
  private readonly log: (event: string, detail: Record<string, unknown>) => void
  private readonly registry: Hyperbee
  private readonly options: Required<RelayOptions>
  private readonly links = new Map<string, Set<BoundedChannel<RelayMessage>>>()
  private readonly cores = new Map<string, Promise<Hypercore>>()
  private readonly lock = new KeyedLock()
  private readonly penalties: PenaltyBox
  private timer: NodeJS.Timeout | null = null
  private opening: Promise<void> | null = null
  private closing: Promise<void> | null = null

  constructor(components: RelayComponents, options: RelayOptions = {}) {
    this.store = components.store
    this.swarm = components.swarm
    this.identity = components.identity
    this.now = components.now ?? Date.now
    this.log = components.log ?? (() => {})
    this.penalties = new PenaltyBox(PENALTY_MS, this.now)
    this.registry = new Hyperbee(this.store.get({ name: 'relay-registry' }), {
      keyEncoding: 'utf-8',
      valueEncoding: 'json',
    })
    this.options = {
      quotaBytes: options.quotaBytes ?? 1024 * 1024 * 1024,
      graceMs: options.graceMs ?? 7 * 24 * 3600 * 1000,
      depositWaitMs: options.depositWaitMs ?? 30_000,
    }
  }

  /** The relay's identity key: what accounts name in their profile and dial. */
  get publicKey(): Buffer {
    return this.identity.publicKey
  }

  ready(): Promise<void> {
    this.opening ??= (async () => {
      await this.registry.ready()
      this.swarm.on('connection', (conn) => {
        this.onConnection(conn)
      })
      await this.swarm.listen()
      this.timer = setInterval(
        () => {
          this.prune().catch((err: unknown) => {
            this.log('prune-failed', { message: String(err) })
          })
        },
        Math.min(this.options.graceMs, 60_000),
      )
      this.timer.unref()
    })()
    return this.opening
  }

  /** Clears acknowledged blocks whose grace period has passed, and gives their bytes back. */
  async prune(): Promise<void> {
    const now = this.now()
    for await (const entry of this.registry.createReadStream({ gt: 'log/', lt: 'log0' })) {
      const record = entry.value as LogRecord
      if (record.acked <= record.cleared || record.ackedAt + this.options.graceMs > now) continue
      const [, recipient, , logKey] = entry.key.split('/')
      if (!recipient || !logKey) continue
      await this.lock.run(recipient, async () => {
        const core = await this.coreFor(logKey)
        const fresh = (await this.registry.get(entry.key))?.value as LogRecord
        const from = Math.max(fresh.cleared, fresh.start)
        const freed = await bytesOf(core, from, fresh.acked)
        await core.clear(from, fresh.acked)
        fresh.cleared = fresh.acked
        fresh.bytes = Math.max(0, fresh.bytes - freed)
        await this.registry.put(entry.key, fresh)
        await this.adjustUsage(recipient, -freed)
      })
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.opening?.catch(() => {})
      if (this.timer) clearInterval(this.timer)
      for (const set of this.links.values()) for (const link of set) link.close()
      this.links.clear()
      await this.lock.idle()
      for (const core of this.cores.values()) await (await core.catch(() => null))?.close()
      await this.registry.close()
    })()
    return this.closing
  }

  private onConnection(conn: SwarmConnection): void {
    conn.on('error', (err: Error) => {
      this.log('connection-error', { message: err.message })
    })
    const peer = conn.remotePublicKey.toString('hex')
    if (this.closing || this.penalties.has(peer)) {
      conn.destroy()
      return
    }
    this.store.replicate(conn)
    const link: BoundedChannel<RelayMessage> = new BoundedChannel(
      Protomux.from(conn),
      conn,
      RELAY_PROTOCOL,
      RELAY_MESSAGES,
      {
        onFrame: (type, frame) => this.onFrame(link, type, frame),
        onMisbehaviour: (reason) => {
          this.penalties.penalise(peer)
          this.log('peer-dropped', { peer, reason })
        },
        onClose: () => {
          const set = this.links.get(peer)
          set?.delete(link)
          if (set?.size === 0) this.links.delete(peer)
        },
      },
      { burst: 512, perSecond: 256, maxFrameBytes: MAX_CHANNEL_FRAME_BYTES },
    )
    let set = this.links.get(peer)
    if (!set) this.links.set(peer, (set = new Set()))
    set.add(link)
  }

  private async onFrame(
    link: BoundedChannel<RelayMessage>,
    type: RelayMessage,
    frame: Buffer,
  ): Promise<void> {
    if (type === 'register') await this.onRegister(link, relayCodecs.register.decode(frame))
    else if (type === 'deposit') await this.onDeposit(link, relayCodecs.deposit.decode(frame))
    else if (type === 'ack') await this.onAck(link, frame)
    else throw SyncError.BAD_FRAME(`${type} sent to a relay`)
  }

  private async onRegister(
    link: BoundedChannel<RelayMessage>,
    register: { issuedAt: number; signature: Buffer },
  ): Promise<void> {
    const account = link.remoteKey
    if (!verifyRegister(register, account, this.identity.publicKey))
      throw SyncError.BAD_SIGNATURE('registration')
    // A good signature from a badly set clock is not an attack: refused, not punished.
    if (Math.abs(register.issuedAt - this.now()) > REGISTER_WINDOW_MS) {
      link.send(
        'refused',
        relayCodecs.refused.encode({ code: RelayRefusal.BAD_REQUEST, logKey: Buffer.alloc(32) }),
      )
      return
    }
    const key = `acct/${account.toString('hex')}`
    const existing = (await this.registry.get(key))?.value as AccountRecord | undefined
    const record = existing ?? { registeredAt: this.now(), usedBytes: 0 }
    if (!existing) await this.registry.put(key, record)
    link.send(
      'registered',
      relayCodecs.registered.encode({
        quotaBytes: this.options.quotaBytes,
        usedBytes: record.usedBytes,
      }),
    )
    // Everything held for this account that it has not acknowledged yet.
    const prefix = `log/${account.toString('hex')}/`
    for await (const entry of this.registry.createReadStream({ gt: prefix, lt: prefix + '~' })) {
      const log = entry.value as LogRecord
      if (log.acked >= log.length) continue
      const [sender, logKey] = entry.key.slice(prefix.length).split('/')
      if (!sender || !logKey) continue
      link.send(
        'offer',
        relayCodecs.offer.encode({
          sender: Buffer.from(sender, 'hex'),
          logKey: Buffer.from(logKey, 'hex'),
          signature: Buffer.from(log.signature, 'hex'),
        }),
      )
    }
  }

  private async onDeposit(link: BoundedChannel<RelayMessage>, deposit: Deposit): Promise<void> {
    const sender = link.remoteKey
    const recipient = deposit.recipient.toString('hex')
    const logHex = deposit.logKey.toString('hex')
    const refuse = (code: RelayRefusal) => {
      link.send('refused', relayCodecs.refused.encode({ code, logKey: deposit.logKey }))
    }
    if (!(await this.registry.get(`acct/${recipient}`))) {
      refuse(RelayRefusal.NOT_REGISTERED)
      return
    }
    if (!verifyOffer({ ...deposit, ackedUpTo: 0 }, sender, deposit.recipient))
      throw SyncError.BAD_SIGNATURE('deposit')
    // One recipient at a time: its quota is checked and charged without a race.
    await this.lock.run(recipient, async () => {
      // Keyed by sender too: whoever else learns the log key cannot take the sender's place.
      const key = `log/${recipient}/${sender.toString('hex')}/${logHex}`
      const held = (await this.registry.get(key))?.value as LogRecord | undefined
      const core = await this.coreFor(logHex)
      if (!(await this.reachLength(core, deposit.length))) {
        refuse(RelayRefusal.BAD_REQUEST)
        return
      }
      const record: LogRecord = held ?? {
        signature: deposit.signature.toString('hex'),
        start: deposit.from,
        length: deposit.from,
        bytes: 0,
        acked: deposit.from,
        ackedAt: 0,
        cleared: deposit.from,
      }
      const start = Math.max(record.length, deposit.from)
      const end = core.length
      const account = (await this.registry.get(`acct/${recipient}`))?.value as AccountRecord
      // Checked on the average block size before anything is fetched; charged exactly after.
      const estimate = end > start ? Math.ceil((core.byteLength / core.length) * (end - start)) : 0
      if (estimate > 0 && account.usedBytes + estimate > this.options.quotaBytes) {
        refuse(RelayRefusal.FULL)
        return
      }
      if (end > start) {
        const download = core.download({ start, end })
        if (!(await withTimeout(download.done(), this.options.depositWaitMs))) {
          download.destroy()
          refuse(RelayRefusal.BAD_REQUEST)
          return
        }
      }
      const added = await bytesOf(core, start, end)
      record.length = Math.max(record.length, end)
      record.bytes += added
      await this.registry.put(key, record)
      await this.adjustUsage(recipient, added)
      link.send('held', relayCodecs.held.encode({ logKey: deposit.logKey, length: record.length }))
      if (record.ack) link.send('ack', Buffer.from(record.ack, 'base64'))
      for (const other of this.links.get(recipient) ?? []) {
        other.send(
          'offer',
          relayCodecs.offer.encode({
            sender,
            logKey: deposit.logKey,
            signature: deposit.signature,
          }),
        )
      }
    })
  }

  private async onAck(link: BoundedChannel<RelayMessage>, frame: Buffer): Promise<void> {
    const ack = decodeAck(frame)
    const recipient = link.remoteKey
    if (!verifyAck(ack, recipient)) throw SyncError.BAD_SIGNATURE('ack')
    const logHex = ack.logKey.toString('hex')
    const prefix = `log/${recipient.toString('hex')}/`
    await this.lock.run(recipient.toString('hex'), async () => {
      for await (const entry of this.registry.createReadStream({ gt: prefix, lt: prefix + '~' })) {
        const [sender, log] = entry.key.slice(prefix.length).split('/')
        if (log !== logHex || !sender) continue
        const record = entry.value as LogRecord
        if (ack.length <= record.acked) continue
        record.acked = Math.min(ack.length, record.length)
        record.ackedAt = this.now()
        record.ack = frame.toString('base64')
        await this.registry.put(entry.key, record)
        for (const link of this.links.get(sender) ?? []) link.send('ack', frame)
      }
    })
  }

  // The sender's log must reach the length it announced (it is connected, so the length arrives).
  private async reachLength(core: Hypercore, length: number): Promise<boolean> {
    if (core.length >= length) return true
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer)
        core.off('append', check)
        resolve(ok)
      }
      const check = () => {
        if (core.length >= length) done(true)
      }
      const timer = setTimeout(() => {
        done(false)
      }, this.options.depositWaitMs)
      core.on('append', check)
      void core.update({ wait: true }).then(check, () => {})
    })
  }

  private coreFor(logHex: string): Promise<Hypercore> {
    let core = this.cores.get(logHex)
    if (!core) {
      const opened = this.store.get({ key: Buffer.from(logHex, 'hex') })
      core = opened.ready().then(() => opened)
      this.cores.set(logHex, core)
    }
    return core
  }

  private async adjustUsage(recipient: string, delta: number): Promise<void> {
    if (delta === 0) return
    const key = `acct/${recipient}`
    const account = (await this.registry.get(key))?.value as AccountRecord | undefined
    if (!account) return
    await this.registry.put(key, {
      ...account,
      usedBytes: Math.max(0, account.usedBytes + delta),
    })
  }
}

// Bytes of the blocks `start`..`end` this relay holds (read locally, never fetched).
async function bytesOf(core: Hypercore, start: number, end: number): Promise<number> {
  let total = 0
  for (let seq = start; seq < end; seq++) {
    const block = await core.get(seq, { wait: false })
    total += block?.byteLength ?? 0
  }
  return total
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      resolve(false)
    }, ms)
  })
  try {
    return await Promise.race([work.then(() => true), expired])
  } finally {
    clearTimeout(timer)
  }
}
