import type Hyperswarm from 'hyperswarm'
import type { SwarmConnection } from 'hyperswarm'
import type Protomux from 'protomux'
import type { SigningKeyPair } from '../crypto/index.js'
import { BoundedChannel } from './bounded-channel.js'
import {
  RELAY_MESSAGES,
  RELAY_PROTOCOL,
  relayCodecs,
  signRegister,
  type Deposit,
  type RelayedOffer,
  type RelayMessage,
} from './relay-wire.js'
import { decodeAck, MAX_CHANNEL_FRAME_BYTES, type SignedAck } from './wire.js'

export interface RelayClientHandlers {
  /** A relay holds a log for us: verify it and read it (acks go back through `link`). */
  onOffer(link: RelayLink, offer: RelayedOffer): Promise<void>
  /** A relay holds our log up to `length`. */
  onHeld(logKey: Buffer, length: number): Promise<void>
  /** A recipient's signed ack, carried by a relay. */
  onAck(ack: SignedAck): Promise<void>
  onRefused(relay: Buffer, code: number, logKey: Buffer): void
  /** One of our relays confirmed our registration. */
  onRegistered(relay: Buffer, quota: { quotaBytes: number; usedBytes: number }): void
  onMisbehaviour(relay: Buffer, reason: string): void
}

/** One connection's `peermail-relay/1` channel, from the account's side. */
export type RelayLink = BoundedChannel<RelayMessage>

/**
 * The account's side of relays (docs/protocol.md §15): it stays connected to its own relays (registering
 * on every connection, so they push what they hold), and hands its pair logs to a recipient's relays when
 * the recipient cannot be reached. Deposits wait for the relay's connection and are sent once per
 * connection.
 */
export class RelayClient {
  private readonly own: Set<string>
  private readonly links = new Map<string, Set<RelayLink>>()
  private readonly deposits = new Map<string, Map<string, Deposit>>()

  constructor(
    private readonly swarm: Hyperswarm,
    private readonly identity: SigningKeyPair,
    ownRelays: Buffer[],
    private readonly now: () => number,
    private readonly handlers: RelayClientHandlers,
  ) {
    this.own = new Set(ownRelays.map((r) => r.toString('hex')))
  }

  /** Dials our own relays and keeps dialling them. */
  start(): void {
    for (const relay of this.own) this.swarm.joinPeer(Buffer.from(relay, 'hex'))
  }

  /** True when a connection to `key` should carry the relay channel. */
  /** True while we hold an open channel to `relay`. */
  isConnected(relay: Buffer): boolean {
    return (this.links.get(relay.toString('hex'))?.size ?? 0) > 0
  }

  isRelay(key: Buffer): boolean {
    const hex = key.toString('hex')
    return this.own.has(hex) || this.deposits.has(hex)
  }

  /** Opens the relay channel on a connection to a relay. */
  attach(mux: Protomux, conn: SwarmConnection): void {
    const relay = conn.remotePublicKey
    const hex = relay.toString('hex')
    const link: RelayLink = new BoundedChannel(
      mux,
      conn,
      RELAY_PROTOCOL,
      RELAY_MESSAGES,
      {
        onFrame: (type, frame) => this.onFrame(link, type, frame),
        onMisbehaviour: (reason) => {
          this.handlers.onMisbehaviour(relay, reason)
        },
        onClose: () => {
          const set = this.links.get(hex)
          set?.delete(link)
          if (set?.size === 0) this.links.delete(hex)
        },
      },
      { burst: 512, perSecond: 256, maxFrameBytes: MAX_CHANNEL_FRAME_BYTES },
    )
    let set = this.links.get(hex)
    if (!set) this.links.set(hex, (set = new Set()))
    set.add(link)
    if (this.own.has(hex)) {
      const register = signRegister(this.identity, relay, this.now())
      link.send('register', relayCodecs.register.encode(register))
    }
    for (const deposit of this.deposits.get(hex)?.values() ?? []) {
      link.send('deposit', relayCodecs.deposit.encode(deposit))
    }
  }

  /** Asks `relay` to hold a log (now if connected, else when it is). */
  deposit(relay: Buffer, deposit: Deposit): void {
    const hex = relay.toString('hex')
    let pending = this.deposits.get(hex)
    if (!pending) this.deposits.set(hex, (pending = new Map<string, Deposit>()))
    pending.set(deposit.logKey.toString('hex'), deposit)
    const links = this.links.get(hex)
    if (links && links.size > 0) {
      for (const link of links) link.send('deposit', relayCodecs.deposit.encode(deposit))
    } else {
      this.swarm.joinPeer(relay)
    }
  }

  /** The log is delivered: no relay needs to be asked for it again. */
  settled(logKey: Buffer): void {
    const log = logKey.toString('hex')
    for (const [relay, pending] of this.deposits) {
      pending.delete(log)
      if (pending.size > 0) continue
      this.deposits.delete(relay)
      if (!this.own.has(relay)) this.swarm.leavePeer(Buffer.from(relay, 'hex'))
    }
  }

  close(): void {
    for (const set of this.links.values()) for (const link of set) link.close()
    this.links.clear()
  }

  private async onFrame(link: RelayLink, type: RelayMessage, frame: Buffer): Promise<void> {
    if (type === 'offer') {
      await this.handlers.onOffer(link, relayCodecs.offer.decode(frame))
    } else if (type === 'held') {
      const held = relayCodecs.held.decode(frame)
      await this.handlers.onHeld(held.logKey, held.length)
    } else if (type === 'ack') {
      await this.handlers.onAck(decodeAck(frame))
    } else if (type === 'refused') {
      const refused = relayCodecs.refused.decode(frame)
      this.handlers.onRefused(link.remoteKey, refused.code, refused.logKey)
    } else if (type === 'registered') {
      this.handlers.onRegistered(link.remoteKey, relayCodecs.registered.decode(frame))
    }
    // 'register' and 'deposit' are what we send; a relay sending them is ignored.
  }
}
