import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import {
  encodeAddress,
  mintStampAsync,
  stampMessageHash,
  type SigningKeyPair,
} from '../crypto/index.js'
import type { DeliveryUpdate, Mailbox, StateChange } from '../mailbox/index.js'
import { isPeermailError } from '../shared/errors.js'
import { frameMail } from './frames.js'
import { KeyedLock } from './keyed-lock.js'
import { sealBlock } from './pair-log.js'
import { sealingKeyOf } from './profile.js'
import type { PeerDirectory, PeerInfo } from './peer-directory.js'
import { segmentAfter, seqOf, stateNames } from './state-names.js'
import { RejectCode, signOffer, type Ack, type Offer } from './wire.js'

/** An intent to deliver a stored message to one peer. */
interface QueuedEntry {
  /** The recipient as the message's delivery status names it (`pm1…`). */
  recipient: string
  /** Attach a stamp of at least this difficulty even if the peer said it knows us. */
  forceStamp?: number
}

/** A message sealed into the log, awaiting its receipt. */
interface SentEntry {
  id: string
  recipient: string
  /** Difficulty of the stamp it carried, if any. */
  stamped?: number
}

/** One mail of a send batch: its bytes and the peers it goes to. */
export interface OutgoingBatchItem {
  raw: Buffer
  peers: Buffer[]
}

/** A delivery state change, as the engine reports it. */
export type DeliveryEvent = DeliveryUpdate

/** Largest batch of sealed blocks appended in one call (bounds memory while a queue drains). */
const MAX_APPEND_BYTES = 8 * 1024 * 1024
const MAX_MESSAGES_PER_ROUND = 256

/**
 * The sending side (docs/protocol.md §13): outbound mail is queued in the mailbox state in the same batch
 * as its Sent copy; once the recipient's profile is known it is sealed per recipient into this device's
 * pair log to them (one append call per round) and remembered by its last block until the recipient's
 * ack says it was stored, or refused.
 *
 * A crash between the append and the state commit re-seals the message on restart: the recipient's
 * mailbox stores identical bytes once, so the duplicate costs a block, never a second copy.
 */
/** How {@link Outbox.send} writes: see there. */
export interface SendOptions {
  storeAlongside?: boolean
  sealNowOnly?: boolean
}

export class Outbox {
  private readonly lock = new KeyedLock()
  private readonly logs = new Map<string, Promise<Hypercore>>()
  // Peers whose queue was seen empty under their lock, with nothing queued for them since: queue entries
  // are only ever made here, under that lock, so the next send or pump need not read the state to know.
  private readonly drained = new Set<string>()
  private closed = false

  constructor(
    private readonly mailbox: Mailbox,
    private readonly store: Corestore,
    private readonly identity: SigningKeyPair,
    private readonly peers: PeerDirectory,
    private readonly now: () => number,
    private readonly onDelivery: (events: DeliveryEvent[]) => void,
    /** False: no `out/sent/` entry per mail (SyncOptions.trackReceipts); the log's length tells. */
    private readonly trackReceipts = true,
  ) {}

  /** The state changes that queue message `id` for each peer (write them with the message). */
  queueChanges(id: string, recipients: Buffer[]): StateChange[] {
    return recipients.map((peer) => {
      const hex = peer.toString('hex')
      this.drained.delete(hex)
      return {
        name: stateNames.queued(hex, id),
        value: { recipient: encodeAddress(peer) } satisfies QueuedEntry,
      }
    })
  }

  /** Peers we still owe mail or await receipts from (to dial on start). */
  async pendingPeers(): Promise<Set<string>> {
    const peers = new Set<string>()
    for (const { name } of await this.mailbox.state.list(stateNames.queuedAll))
      peers.add(segmentAfter(name, stateNames.queuedAll))
    const logsToPeer = new Map<string, string>()
    for (const { name, value } of await this.mailbox.state.list(stateNames.outLogAll))
      logsToPeer.set((value as { key: string }).key, segmentAfter(name, stateNames.outLogAll))
    if (!this.trackReceipts) {
      for (const peer of logsToPeer.values()) if (await this.unacked(peer)) peers.add(peer)
      return peers
    }
    for (const { name } of await this.mailbox.state.list(stateNames.sentAll)) {
      const peer = logsToPeer.get(segmentAfter(name, stateNames.sentAll))
      if (peer) peers.add(peer)
    }
    return peers
  }

  /** True while `peer` has queued or unacknowledged mail from us. */
  async hasPending(peer: string): Promise<boolean> {
    // Not under the lock: only read the cache, never fill it (a send may be about to queue).
    if (
      !this.drained.has(peer) &&
      (await this.mailbox.state.list(stateNames.queuedPrefix(peer), 1)).length > 0
    )
      return true
    if (!this.trackReceipts) return this.unacked(peer)
    const log = await this.logKeyFor(peer)
    return (
      log !== undefined && (await this.mailbox.state.list(stateNames.sentPrefix(log), 1)).length > 0
    )
  }

  // Whether our log to `peer` has blocks past its last ack (without receipt entries, what tells).
  private async unacked(peer: string): Promise<boolean> {
    const log = await this.logKeyFor(peer)
    if (log === undefined) return false
    const acked = await this.mailbox.state.get(stateNames.acked(log))
    return (await this.logTo(peer)).length > (typeof acked === 'number' ? acked : 0)
  }

  /**
   * Seals everything queued for `peer` into the pair log, if its profile is known. Returns true when
   * blocks were appended.
   */
  pump(peer: string): Promise<boolean> {
    return this.lock.run(peer, async () => {
      let appended = false
      while (!this.closed && (await this.pumpRound(peer))) appended = true
      return appended
    })
  }

  /** The signed offer of our log to `peer`, if we have written to them. */
  async offerFor(peer: string): Promise<Offer | undefined> {
    const logKey = await this.logKeyFor(peer)
    if (logKey === undefined) return undefined
    const key = Buffer.from(logKey, 'hex')
    const acked = await this.mailbox.state.get(stateNames.acked(logKey))
    return {
      logKey: key,
      ackedUpTo: typeof acked === 'number' ? acked : 0,
      signature: signOffer(key, this.identity, Buffer.from(peer, 'hex')),
    }
  }

  /**
   * Applies a receipt: messages below `ack.length` are delivered, or refused as it lists. Returns true
   * when a refused mail was queued again with a stamp (the peer no longer takes our mail unstamped).
   */
  onAck(peer: string, ack: Ack): Promise<boolean> {
    return this.lock.run(peer, async () => {
      const logKey = ack.logKey.toString('hex')
      if ((await this.logKeyFor(peer)) !== logKey) return false
      let requeued = false
      const rejected = new Map(ack.rejected.map((r) => [r.seq, r]))
      const deliveries: DeliveryUpdate[] = []
      const changes: StateChange[] = []
      // Only the entries the ack covers are read: a long backlog is not rescanned on every ack.
      const covered = await this.mailbox.state.list(
        stateNames.sentPrefix(logKey),
        Infinity,
        stateNames.sent(logKey, ack.length),
      )
      for (const { name, value } of covered) {
        const seq = seqOf(name)
        const entry = value as SentEntry
        changes.push({ name, value: null })
        const refusal = rejected.get(seq)
        if (!refusal) {
          deliveries.push({ id: entry.id, recipient: entry.recipient, state: 'delivered' })
        } else if (
          refusal.code === RejectCode.STAMP_REQUIRED &&
          (entry.stamped ?? -1) < refusal.difficulty
        ) {
          // A stranger's first mail without (enough) work: seal it again with the stamp they ask for.
          requeued = true
          this.drained.delete(peer)
          changes.push({
            name: stateNames.queued(peer, entry.id),
            value: {
              recipient: entry.recipient,
              forceStamp: refusal.difficulty,
            } satisfies QueuedEntry,
          })
        } else {
          deliveries.push({ id: entry.id, recipient: entry.recipient, state: 'failed' })
        }
      }
      const before = await this.mailbox.state.get(stateNames.acked(logKey))
      if (typeof before !== 'number' || ack.length > before)
        changes.push({ name: stateNames.acked(logKey), value: ack.length })
      if (changes.length === 0) return false
      await this.mailbox.commit({ state: changes, deliveries })
      if (deliveries.length > 0) this.onDelivery(deliveries)
      return requeued
    })
  }

  /**
   * A relay holds our log to `peer` up to `length`: the messages below it are `relayed` (a state that
   * never hides `delivered`). The entries stay until the recipient's own ack settles them.
   */
  onHeld(peer: string, logKey: Buffer, length: number): Promise<void> {
    return this.lock.run(peer, async () => {
      const log = logKey.toString('hex')
      if ((await this.logKeyFor(peer)) !== log) return
      // Only what this `held` adds: everything below the last one was marked already.
      const before = await this.mailbox.state.get(stateNames.held(log))
      const from = typeof before === 'number' ? before : 0
      if (length <= from) return
      const held = await this.mailbox.state.list(
        stateNames.sentPrefix(log),
        Infinity,
        stateNames.sent(log, length),
        stateNames.sent(log, from),
      )
      const deliveries = held.map(({ value }) => {
        const entry = value as SentEntry
        return { id: entry.id, recipient: entry.recipient, state: 'relayed' as const }
      })
      await this.mailbox.commit({
        deliveries,
        state: [{ name: stateNames.held(log), value: length }],
      })
      if (deliveries.length > 0) this.onDelivery(deliveries)
    })
  }

  /** The peer our log `logKey` goes to, if it is ours. */
  async peerOfLog(logKey: Buffer): Promise<string | undefined> {
    const log = logKey.toString('hex')
    for (const { name, value } of await this.mailbox.state.list(stateNames.outLogAll)) {
      if ((value as { key: string }).key === log) return segmentAfter(name, stateNames.outLogAll)
    }
    return undefined
  }

  /** Our log to `peer`, for a deposit: its key, length and signed offer. */
  async depositFor(
    peer: string,
  ): Promise<{ logKey: Buffer; from: number; length: number; signature: Buffer } | undefined> {
    const offer = await this.offerFor(peer)
    if (!offer) return undefined
    const log = await this.logTo(peer)
    // What the recipient acknowledged is not needed on a relay: only the rest is handed over.
    return {
      logKey: offer.logKey,
      from: offer.ackedUpTo,
      length: log.length,
      signature: offer.signature,
    }
  }

  async close(): Promise<void> {
    this.closed = true
    await this.lock.idle()
    for (const log of this.logs.values()) await (await log).close()
    this.logs.clear()
  }

  /**
   * The fast path of sending (what keeps send-to-arrival latency low and throughput high): for each peer
   * whose profile we know and whose queue is empty, the mails are sealed and appended at once (one append
   * per log for the whole batch), before their Sent copies are written; `store` writes those copies in
   * one batch with the state changes for each (receipt bookkeeping, and a queue entry for every peer
   * that could not be sealed for yet). The peers' locks are held until the copies are written, so a
   * receipt can never arrive before the entry it settles.
   *
   * A crash after the append and before `store` leaves delivered mail without a Sent copy; `send()`
   * had not returned, as with SMTP's unanswered DATA.
   *
   * `storeAlongside` runs `store` while the appends run, for a caller whose `store` keeps only receipt
   * bookkeeping and who treats a failed `send()` as "nothing was sent" (the bridge's SMTP intake: the
   * client retries). If the append fails after `store` wrote, the entries name positions the log never
   * reached, and the next mails appended there overwrite them. Not for Sent copies: one whose mail was
   * never appended would wait for a receipt forever.
   *
   * `sealNowOnly` queues nothing: for a caller who keeps no copy to seal later (the bridge), a mail that
   * cannot be sealed for every peer now is only reported. Resolves with the indices of the mails that
   * were not sealed for every peer (queued for the rest, or with `sealNowOnly` not sent to them).
   */
  async send(
    mails: OutgoingBatchItem[],
    store: (changesFor: (index: number, id: string) => StateChange[]) => Promise<void>,
    options: SendOptions = {},
  ): Promise<number[]> {
    const hexes = [...new Set(mails.flatMap((m) => m.peers.map((p) => p.toString('hex'))))].sort()
    const underLocks = async (i: number): Promise<number[]> => {
      const peer = hexes[i]
      if (peer === undefined) return this.sendLocked(mails, hexes, store, options)
      return this.lock.run(peer, () => underLocks(i + 1))
    }
    return underLocks(0)
  }

  private async sendLocked(
    mails: OutgoingBatchItem[],
    peers: string[],
    store: (changesFor: (index: number, id: string) => StateChange[]) => Promise<void>,
    { storeAlongside = false, sealNowOnly = false }: SendOptions,
  ): Promise<number[]> {
    // Per peer: where its blocks go, or nowhere yet (no profile, or older mail still queued).
    const targets = new Map<string, { log: Hypercore; info: PeerInfo; blocks: Buffer[] } | null>()
    for (const peer of peers) {
      const info = this.closed ? undefined : await this.peers.get(peer)
      const backlog = await this.hasQueued(peer)
      targets.set(peer, !info || backlog ? null : { log: await this.logTo(peer), info, blocks: [] })
    }
    const sealed: { log: string; seq: number; recipient: string; stamped?: number }[][] = []
    const queued: string[][] = []
    for (const mail of mails) {
      const mine: (typeof sealed)[number] = []
      const waiting: string[] = []
      for (const peer of new Set(mail.peers.map((p) => p.toString('hex')))) {
        const target = targets.get(peer)
        if (!target) {
          waiting.push(peer)
          continue
        }
        const { blocks, stamped } = await this.seal(
          target.log,
          target.info,
          mail.raw,
          target.blocks.length,
          0,
        )
        target.blocks.push(...blocks)
        mine.push({
          log: (target.log.key as Buffer).toString('hex'),
          seq: target.log.length + target.blocks.length - 1,
          recipient: encodeAddress(target.info.identity),
          ...(stamped !== undefined ? { stamped } : {}),
        })
      }
      sealed.push(mine)
      queued.push(waiting)
    }
    const append = async () => {
      for (const target of targets.values()) {
        if (target && target.blocks.length > 0) await target.log.append(target.blocks)
      }
    }
    const write = () =>
      store((index, id) => [
        ...(this.trackReceipts ? (sealed[index] ?? []) : []).map(
          ({ log, seq, recipient, stamped }) => ({
            name: stateNames.sent(log, seq),
            value: {
              id,
              recipient,
              ...(stamped !== undefined ? { stamped } : {}),
            } satisfies SentEntry,
          }),
        ),
        ...(sealNowOnly
          ? []
          : this.queueChanges(
              id,
              (queued[index] ?? []).map((peer) => Buffer.from(peer, 'hex')),
            )),
      ])
    if (storeAlongside) {
      // Both settle before the locks are released, so a receipt still never precedes its entry.
      const [appended, written] = await Promise.allSettled([append(), write()])
      if (appended.status === 'rejected') throw appended.reason
      if (written.status === 'rejected') throw written.reason
    } else {
      await append()
      await write()
    }
    return queued.flatMap((waiting, index) => (waiting.length > 0 ? [index] : []))
  }

  private async pumpRound(peer: string): Promise<boolean> {
    if (this.drained.has(peer)) return false
    const info = await this.peers.get(peer)
    if (!info) return false
    const queued = await this.mailbox.state.list(
      stateNames.queuedPrefix(peer),
      MAX_MESSAGES_PER_ROUND,
    )
    if (queued.length === 0) {
      this.drained.add(peer)
      return false
    }
    const log = await this.logTo(peer)
    const logKey = (log.key as Buffer).toString('hex')
    const blocks: Buffer[] = []
    const changes: StateChange[] = []
    let bytes = 0
    for (const { name, value } of queued) {
      if (bytes >= MAX_APPEND_BYTES) break
      const entry = value as QueuedEntry
      const id = name.slice(name.lastIndexOf('/') + 1)
      changes.push({ name, value: null })
      const raw = await this.rawOf(id)
      if (!raw) continue // deleted for good before it left: nothing to send
      const mail = await this.seal(log, info, raw, blocks.length, entry.forceStamp ?? 0)
      for (const block of mail.blocks) {
        blocks.push(block)
        bytes += block.byteLength
      }
      if (!this.trackReceipts) continue
      const sent: SentEntry = { id, recipient: entry.recipient }
      if (mail.stamped !== undefined) sent.stamped = mail.stamped
      changes.push({ name: stateNames.sent(logKey, log.length + blocks.length - 1), value: sent })
    }
    if (blocks.length > 0) await log.append(blocks)
    await this.mailbox.commit({ state: changes })
    return blocks.length > 0 || changes.length > 0
  }

  // Seals one mail into blocks for the positions after `log.length + offset`, with a stamp when the
  // peer does not know us (or asked for a stronger one).
  private async seal(
    log: Hypercore,
    info: PeerInfo,
    raw: Buffer,
    offset: number,
    forceStamp: number,
  ): Promise<{ blocks: Buffer[]; stamped?: number }> {
    const difficulty = Math.max(info.knowsUs ? 0 : info.stampDifficulty, forceStamp)
    const stamp =
      difficulty > 0
        ? await mintStampAsync(
            {
              sender: this.identity.publicKey,
              recipient: info.identity,
              messageHash: stampMessageHash(raw),
            },
            difficulty,
            this.now(),
          )
        : undefined
    const logKey = log.key as Buffer
    const recipient = {
      identityPublicKey: info.identity,
      encryptionPublicKey: sealingKeyOf(info, this.now()),
    }
    const blocks = frameMail(raw, stamp).map((frame, i) =>
      sealBlock(frame, { logKey, seq: log.length + offset + i }, this.identity, recipient),
    )
    return stamp ? { blocks, stamped: difficulty } : { blocks }
  }

  // Whether mail waits in `peer`'s queue; call under the peer's lock.
  private async hasQueued(peer: string): Promise<boolean> {
    if (this.drained.has(peer)) return false
    if ((await this.mailbox.state.list(stateNames.queuedPrefix(peer), 1)).length > 0) return true
    this.drained.add(peer)
    return false
  }

  private async rawOf(id: string): Promise<Buffer | undefined> {
    try {
      return await this.mailbox.raw(id)
    } catch (err) {
      if (isPeermailError(err, 'MESSAGE_NOT_FOUND')) return undefined
      throw err
    }
  }

  private async logKeyFor(peer: string): Promise<string | undefined> {
    const value = await this.mailbox.state.get(stateNames.outLog(peer))
    return (value as { key?: string } | undefined)?.key
  }

  // This device's log to `peer`: a named core, so its key derives from this device's store and no other
  // device ever appends to it.
  private logTo(peer: string): Promise<Hypercore> {
    let log = this.logs.get(peer)
    if (!log) {
      log = (async () => {
        const core = this.store.get({ name: `pair-log/${peer}` })
        await core.ready()
        const key = (core.key as Buffer).toString('hex')
        if ((await this.logKeyFor(peer)) !== key)
          await this.mailbox.commit({ state: [{ name: stateNames.outLog(peer), value: { key } }] })
        return core
      })()
      this.logs.set(peer, log)
    }
    return log
  }
}
