import { EventEmitter } from 'node:events'
import type Corestore from 'corestore'
import type Hyperswarm from 'hyperswarm'
import type { SwarmConnection } from 'hyperswarm'
import Protomux from 'protomux'
import {
  keyIdOf,
  type EncryptionKeyPair,
  type EnvelopeKeyring,
  type SigningKeyPair,
} from '../crypto/index.js'
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  type Mailbox,
  type MessageSummary,
  type StateChange,
} from '../mailbox/index.js'
import { Admission } from './admission.js'
import { SyncError } from './errors.js'
import { LogIngest, MAX_LOGS_PER_SENDER } from './inbox.js'
import { Outbox, type DeliveryEvent, type OutgoingBatchItem, type SendOptions } from './outbox.js'
import { peerIdentityOf } from './peer-address.js'
import { PenaltyBox } from './penalty-box.js'
import { PeerDirectory } from './peer-directory.js'
import { PeerSession, type SessionHandlers } from './peer-session.js'
import { RelayClient, type RelayClientHandlers, type RelayLink } from './relay-client.js'
import type { PrekeyStore } from './prekeys.js'
import { openProfile, signProfile } from './profile.js'
import {
  encodeAck,
  verifyAck,
  verifyOffer,
  type Hello,
  type Offer,
  type SignedAck,
} from './wire.js'

/** Least time between two dials of one peer prompted by new mail ({@link SyncEngine.kick}). */
const KICK_DIAL_EVERY_MS = 1000

/** What the engine is built from; the caller owns them and closes them after the engine. */
export interface SyncComponents {
  mailbox: Mailbox
  /** The store holding pair logs (ours and our correspondents'); it is what peers replicate. */
  store: Corestore
  /** A swarm whose keyPair is `identity`. The engine listens on it and dials through it. */
  swarm: Hyperswarm
  identity: SigningKeyPair
  /** The long-term X25519 key (derived from the seed): what senders use when no prekey is valid. */
  encryption: EncryptionKeyPair
  /** Rotating prekeys: what senders seal to, for forward secrecy. */
  prekeys: PrekeyStore
  now?: () => number
  /** Where protocol trouble is reported (a peer dropped for garbage, a failed background task). */
  log?: (event: string, detail: Record<string, unknown>) => void
}

export interface SyncOptions {
  /** Leading zero bits asked of strangers' first-contact stamps. Default 16 (tens of ms to mint). */
  stampDifficulty?: number
  /** Largest mail accepted. Default the mailbox's 50 MB. */
  maxMessageBytes?: number
  /** A stranger's mails admitted to Requests per hour. Default 60. */
  requestsPerHour?: number
  /** Channel frames a peer may send in a burst / per second. Defaults 512 / 256. */
  frameBurst?: number
  framesPerSecond?: number
  /** How long a peer that broke the protocol is refused, in ms. Default 10 minutes. */
  penaltyMs?: number
  /** Our relays (identity keys): named in our profile, registered with, synced from. */
  relays?: Buffer[]
  /** How long a recipient may stay unreachable before our log goes to its relays, ms. Default 3 s. */
  relayAfterMs?: number
  /**
   * How often peers we owe mail and cannot reach are dialled afresh, ms. Default 30 s. Hyperswarm's own
   * retries slow down to minutes and a dial can stall on a stale DHT record; this keeps trying.
   */
  redialEveryMs?: number
  /**
   * Per-mail receipt bookkeeping: a state entry for each mail sealed, settled by the peer's ack into a
   * `delivery` event. Default true. A carrier that reports nothing per mail (the bridge) turns it off:
   * then nothing is written per mail, no `delivery` events come, and what a peer still owes an ack for
   * is its log's length past the last ack.
   */
  trackReceipts?: boolean
}

/** See {@link SyncEngine.connectivity}. */
export interface Connectivity {
  dht: boolean
  peers: Buffer[]
  relays: { relay: Buffer; connected: boolean }[]
}

/** See {@link SyncEngine.setCarrierMailHook}: true when the hook took the mail (do not store it). */
export type CarrierMailHook = (carrier: Buffer, mail: Buffer) => Promise<boolean>

export interface SyncEvents {
  mail: [summaries: MessageSummary[]]
  delivery: [updates: DeliveryEvent[]]
  /** One of our relays confirmed it holds mail for us. */
  relay: [status: { relay: Buffer; quotaBytes: number; usedBytes: number }]
  /** A peer connected: other protocols (the bridge's) open their channels on `mux` beside ours. */
  connection: [conn: SwarmConnection, mux: Protomux]
  /** How far a sender's log to us is read: `handled` of `length` blocks (catch-up progress). */
  progress: [progress: { peer: Buffer; log: Buffer; handled: number; length: number }]
}

/**
 * Peer-to-peer delivery (docs/architecture.md, "Sync"): listens on the DHT under the account's identity,
 * runs the `peermail/1` channel beside Corestore replication on every connection, seals queued mail into
 * pair logs, ingests the logs offered to us, and turns acks into delivery states.
 */
export class SyncEngine extends EventEmitter<SyncEvents> {
  private readonly mailbox: Mailbox
  private readonly store: Corestore
  private readonly swarm: Hyperswarm
  private readonly identity: SigningKeyPair
  private readonly me: string
  private readonly keyring: EnvelopeKeyring
  private readonly now: () => number
  private readonly log: (event: string, detail: Record<string, unknown>) => void
  private readonly peers: PeerDirectory
  private readonly outbox: Outbox
  private readonly admission: Admission
  private readonly sessions = new Map<string, Set<PeerSession>>()
  private readonly ingests = new Map<string, Promise<LogIngest>>()
  private readonly penalties: PenaltyBox
  private readonly blocked = new Set<string>()
  /** Our bridges: their logs carry other people's mail (any From), and they need no stamp. */
  private readonly carriers = new Set<string>()
  private carrierMailHook: CarrierMailHook | null = null
  private readonly options: Required<SyncOptions>
  private readonly prekeys: PrekeyStore
  private readonly encryption: EncryptionKeyPair
  private profile: Buffer
  private maintenance: NodeJS.Timeout | null = null
  private readonly relays: RelayClient
  /** Relay links that offered a log, by ingest name: its acks go back through them too. */
  private readonly relayedLogs = new Map<string, Set<RelayLink>>()
  private readonly relayTimers = new Map<string, NodeJS.Timeout>()
  /** Peers we owe mail (kicked and not yet settled), for the redial timer. */
  private readonly wanted = new Map<string, Buffer>()
  /** When each wanted peer was last dialled from {@link kick} (performance.now()). */
  private readonly dialledAt = new Map<string, number>()
  private redial: NodeJS.Timeout | null = null
  private opening: Promise<void> | null = null
  private closing: Promise<void> | null = null

  constructor(components: SyncComponents, options: SyncOptions = {}) {
    super()
    this.mailbox = components.mailbox
    this.store = components.store
    this.swarm = components.swarm
    this.identity = components.identity
    this.me = components.identity.publicKey.toString('hex')
    this.now = components.now ?? Date.now
    this.log = components.log ?? (() => {})
    this.options = {
      stampDifficulty: options.stampDifficulty ?? 16,
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      requestsPerHour: options.requestsPerHour ?? 60,
      frameBurst: options.frameBurst ?? 512,
      framesPerSecond: options.framesPerSecond ?? 256,
      penaltyMs: options.penaltyMs ?? 10 * 60 * 1000,
      relays: options.relays ?? [],
      relayAfterMs: options.relayAfterMs ?? 3000,
      redialEveryMs: options.redialEveryMs ?? 30_000,
      trackReceipts: options.trackReceipts ?? true,
    }
    this.penalties = new PenaltyBox(this.options.penaltyMs, this.now)
    const encryption = components.encryption
    const prekeys = components.prekeys
    this.encryption = encryption
    this.prekeys = prekeys
    const ownKeyId = keyIdOf(encryption.publicKey)
    this.keyring = {
      identityPublicKey: components.identity.publicKey,
      findKey: (keyId) => (keyId.equals(ownKeyId) ? encryption : prekeys.find(keyId)),
    }
    this.peers = new PeerDirectory(this.mailbox, this.now)
    this.admission = new Admission(this.mailbox, components.identity.publicKey, {
      stampDifficulty: this.options.stampDifficulty,
      requestsPerHour: this.options.requestsPerHour,
      now: this.now,
      carriesMail: (sender) => this.carriers.has(sender.toString('hex')),
      takesCarrierMail: (sender, mail) =>
        this.carrierMailHook?.(sender, mail) ?? Promise.resolve(false),
    })
    this.outbox = new Outbox(
      this.mailbox,
      this.store,
      this.identity,
      this.peers,
      this.now,
      (updates) => this.emit('delivery', updates),
      this.options.trackReceipts,
    )
    this.relays = new RelayClient(
      this.swarm,
      this.identity,
      this.options.relays,
      this.now,
      this.relayHandlers,
    )
    this.profile = this.signProfile()
  }

  /** Starts listening and resumes every delivery left unfinished. Idempotent. */
  ready(): Promise<void> {
    this.opening ??= (async () => {
      await this.maintainPrekeys()
      // Rotation is checked hourly: prekeys live for days, so the hour is noise.
      this.maintenance = setInterval(() => {
        this.background('prekeys', () => this.maintainPrekeys())
        // DHT nodes forget records after a while: put the profile again.
        this.publishProfile()
      }, 3600 * 1000)
      this.maintenance.unref()
      this.redial = setInterval(() => {
        this.redialUnreachable()
      }, this.options.redialEveryMs)
      this.redial.unref()
      for (const contact of await this.mailbox.contacts.list()) {
        if (!contact.blocked) continue
        const key = contact.identityKey ?? peerIdentityOf(contact.address)?.toString('hex')
        if (key) this.blocked.add(key)
      }
      this.swarm.on('connection', (conn) => {
        this.onConnection(conn)
      })
      await this.swarm.listen()
      this.relays.start()
      this.publishProfile()
      for (const peer of await this.outbox.pendingPeers()) this.kick(Buffer.from(peer, 'hex'))
    })()
    return this.opening
  }

  /** State changes that queue message `id` for `recipients`; commit them with the message. */
  queueChanges(id: string, recipients: Buffer[]): StateChange[] {
    return this.outbox.queueChanges(id, recipients)
  }

  /**
   * Sends a batch of mails: sealed into the pair logs at once where possible, queued otherwise (see
   * {@link Outbox.send}); `store` writes their Sent copies with the given state changes, in one batch.
   * Resolves with the indices of the mails not sealed for every peer.
   */
  async send(
    mails: OutgoingBatchItem[],
    store: (changesFor: (index: number, id: string) => StateChange[]) => Promise<void>,
    options: SendOptions = {},
  ): Promise<number[]> {
    this.assertOpen()
    const others = mails.map((m) => ({
      raw: m.raw,
      peers: m.peers.filter((p) => !p.equals(this.identity.publicKey)),
    }))
    const unsealed = await this.outbox.send(others, store, options)
    const peers = new Map(others.flatMap((m) => m.peers.map((p) => [p.toString('hex'), p])))
    for (const peer of peers.values()) this.kick(peer)
    return unsealed
  }

  /** Starts delivering what is queued for `peer`: dial it, seal what can be sealed, offer the log. */
  kick(peer: Buffer): void {
    this.assertOpen()
    const hex = peer.toString('hex')
    if (hex === this.me) return
    this.wanted.set(hex, peer)
    // joinPeer on a peer the swarm is waiting to retry starts a new attempt at once, past its backoff: one
    // per send, a burst of mail to an unreachable peer was a DHT lookup per mail. One fresh dial a second.
    const at = performance.now()
    if (at - (this.dialledAt.get(hex) ?? -Infinity) >= KICK_DIAL_EVERY_MS) {
      this.dialledAt.set(hex, at)
      this.swarm.joinPeer(peer)
    }
    this.background('pump', async () => {
      await this.outbox.pump(hex)
      for (const session of this.sessions.get(hex) ?? []) await this.offerTo(session)
    })
    this.scheduleRelay(peer)
  }

  /**
   * Tells a peer connected now whether we take its mail unstamped (after it became a contact, or
   * stopped being one), so it stops paying for stamps without waiting for the next connection.
   */
  refreshHello(peer: Buffer): void {
    const sessions = this.sessions.get(peer.toString('hex'))
    if (!sessions) return
    this.background('hello', async () => {
      const knowsYou = await this.admission.knows(peer)
      for (const session of sessions) session.sendHello({ profile: this.profile, knowsYou })
    })
  }

  /**
   * Marks `identity` as one of our bridges (or no longer): its log may carry mail whose From is an
   * ordinary address, and it is told it needs no stamp.
   */
  setMailCarrier(identity: Buffer, carrier: boolean): void {
    const hex = identity.toString('hex')
    if (carrier) this.carriers.add(hex)
    else this.carriers.delete(hex)
    this.refreshHello(identity)
  }

  /**
   * Lets the layer above see each admitted mail from a carrier before it is stored (call before the
   * engine starts). The hook resolves true when it took the mail (a delivery report it applied): the
   * mail is then not stored, and the cursor passes it in the batch that follows. It runs again for the
   * same mail after a crash before that batch, so what it does must be idempotent; if it throws, the
   * log is read again later.
   */
  setCarrierMailHook(hook: CarrierMailHook | null): void {
    this.carrierMailHook = hook
  }

  /** Keeps a connection to `peer` (dialled with Hyperswarm's retries), for protocols beside mail. */
  dial(peer: Buffer): void {
    this.assertOpen()
    this.swarm.joinPeer(peer)
  }

  /** Stops keeping the connection {@link dial} asked for; a peer still owed mail stays dialled. */
  undial(peer: Buffer): void {
    if (this.closing || this.wanted.has(peer.toString('hex'))) return
    this.swarm.leavePeer(peer)
  }

  /**
   * What the network looks like from here: whether the DHT answered (bootstrapped with at least one node
   * in the routing table), which peers we are connected to, and which of our relays.
   */
  connectivity(): Connectivity {
    const dht = this.swarm.dht
    return {
      dht: dht.bootstrapped && dht.table.size > 0,
      peers: [...this.sessions]
        .filter(([, set]) => set.size > 0)
        .map(([peer]) => Buffer.from(peer, 'hex')),
      relays: this.options.relays.map((relay) => ({
        relay,
        connected: this.relays.isConnected(relay),
      })),
    }
  }

  /** True when connections from `identity` are refused (used as the swarm's firewall). */
  isBlocked(identity: Buffer): boolean {
    return this.blocked.has(identity.toString('hex'))
  }

  /** Refuses (or again accepts) connections from `identity`, and drops the ones open now. */
  setBlocked(identity: Buffer, blocked: boolean): void {
    const hex = identity.toString('hex')
    if (!blocked) {
      this.blocked.delete(hex)
      return
    }
    this.blocked.add(hex)
    for (const session of this.sessions.get(hex) ?? []) session.close()
  }

  /** Stops every session and closes the logs. The swarm, store and mailbox stay the caller's. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.opening?.catch(() => {})
      if (this.maintenance) clearInterval(this.maintenance)
      if (this.redial) clearInterval(this.redial)
      for (const timer of this.relayTimers.values()) clearTimeout(timer)
      this.relays.close()
      for (const set of this.sessions.values()) for (const session of set) session.close()
      this.sessions.clear()
      await this.outbox.close()
      for (const ingest of this.ingests.values()) await (await ingest.catch(() => null))?.close()
      this.ingests.clear()
    })()
    return this.closing
  }

  /** Rotates and expires prekeys; a changed set is re-signed and told to everyone connected. */
  async maintainPrekeys(): Promise<void> {
    if (!(await this.prekeys.maintain(this.now()))) return
    this.profile = this.signProfile()
    this.publishProfile()
    for (const set of this.sessions.values()) {
      for (const session of set) {
        const knowsYou = await this.admission.knows(session.remoteKey)
        session.sendHello({ profile: this.profile, knowsYou })
      }
    }
  }

  private signProfile(): Buffer {
    const now = this.now()
    return signProfile(
      {
        encryptionKey: this.encryption.publicKey,
        stampDifficulty: this.options.stampDifficulty,
        issuedAt: now,
        relays: this.options.relays,
        prekeys: this.prekeys.published(now),
      },
      this.identity,
    )
  }

  private onConnection(conn: SwarmConnection): void {
    conn.on('error', (err: Error) => {
      this.log('connection-error', { message: err.message })
    })
    if (this.closing) {
      conn.destroy()
      return
    }
    const peer = conn.remotePublicKey.toString('hex')
    if (this.blocked.has(peer) || this.penalties.has(peer)) {
      conn.destroy()
      return
    }
    this.store.replicate(conn)
    const mux = Protomux.from(conn)
    if (this.relays.isRelay(conn.remotePublicKey)) this.relays.attach(mux, conn)
    const session = new PeerSession(mux, conn, this.handlers, {
      burst: this.options.frameBurst,
      perSecond: this.options.framesPerSecond,
    })
    let set = this.sessions.get(peer)
    if (!set) this.sessions.set(peer, (set = new Set()))
    set.add(session)
    this.emit('connection', conn, mux)
    this.background('hello', async () => {
      const knowsYou = await this.admission.knows(session.remoteKey)
      session.sendHello({ profile: this.profile, knowsYou })
    })
  }

  private readonly handlers: SessionHandlers = {
    onHello: async (session: PeerSession, hello: Hello) => {
      const profile = openProfile(hello.profile)
      if (!profile.identity.equals(session.remoteKey))
        throw SyncError.BAD_SIGNATURE('hello profile')
      await this.peers.update(session.peer, hello.profile, hello.knowsYou)
      await this.outbox.pump(session.peer)
      await this.offerTo(session)
    },
    onOffer: async (session: PeerSession, offer: Offer) => {
      if (!verifyOffer(offer, session.remoteKey, this.identity.publicKey))
        throw SyncError.BAD_SIGNATURE('pair-log offer')
      const ingest = await this.ingestFor(session.remoteKey, offer.logKey)
      await ingest?.offered(offer.ackedUpTo)
    },
    onAck: async (session: PeerSession, ack: SignedAck) => {
      if (!verifyAck(ack, session.remoteKey)) throw SyncError.BAD_SIGNATURE('ack')
      await this.handleAck(session.remoteKey, ack)
    },
    onMisbehaviour: (session: PeerSession, reason: string) => {
      this.penalties.penalise(session.peer)
      this.log('peer-dropped', { peer: session.peer, reason })
    },
    onClose: (session: PeerSession) => {
      const set = this.sessions.get(session.peer)
      set?.delete(session)
      if (set?.size === 0) this.sessions.delete(session.peer)
    },
  }

  // A receipt from the recipient, directly or through a relay (already verified as the recipient's).
  private async handleAck(peer: Buffer, ack: SignedAck): Promise<void> {
    const hex = peer.toString('hex')
    if (await this.outbox.onAck(hex, ack)) {
      // Refused for want of a stamp: stamp from now on, and send the refused mail again at once.
      await this.peers.setKnowsUs(hex, false)
      await this.outbox.pump(hex)
      for (const session of this.sessions.get(hex) ?? []) await this.offerTo(session)
      this.scheduleRelay(peer)
    }
    if (!(await this.outbox.hasPending(hex))) {
      this.wanted.delete(hex)
      this.dialledAt.delete(hex)
      this.swarm.leavePeer(peer)
      this.relays.settled(ack.logKey)
    }
  }

  private readonly relayHandlers: RelayClientHandlers = {
    onOffer: async (link, offer) => {
      if (!verifyOffer({ ...offer, ackedUpTo: 0 }, offer.sender, this.identity.publicKey))
        throw SyncError.BAD_SIGNATURE('relayed offer')
      // A blocked sender's log is still read: admission refuses each mail and the ack lets the relay
      // drop it, instead of holding it against our quota forever.
      const ingest = await this.ingestFor(offer.sender, offer.logKey)
      if (!ingest) return
      let links = this.relayedLogs.get(ingest.name)
      if (!links) this.relayedLogs.set(ingest.name, (links = new Set()))
      links.add(link)
      await ingest.offered(0)
    },
    onHeld: async (logKey, length) => {
      const peer = await this.outbox.peerOfLog(logKey)
      if (peer) await this.outbox.onHeld(peer, logKey, length)
    },
    onAck: async (ack) => {
      const peer = await this.outbox.peerOfLog(ack.logKey)
      if (!peer) return
      const key = Buffer.from(peer, 'hex')
      if (!verifyAck(ack, key)) throw SyncError.BAD_SIGNATURE('relayed ack')
      await this.handleAck(key, ack)
    },
    onRegistered: (relay, quota) => {
      this.emit('relay', { relay, ...quota })
    },
    onRefused: (relay, code) => {
      this.log('relay-refused', { relay: relay.toString('hex'), code })
    },
    onMisbehaviour: (relay, reason) => {
      this.penalties.penalise(relay.toString('hex'))
      this.log('relay-dropped', { relay: relay.toString('hex'), reason })
    },
  }

  // Peers we owe mail and have no session with are dialled from scratch (their retry state reset).
  private redialUnreachable(): void {
    for (const [hex, peer] of this.wanted) {
      if ((this.sessions.get(hex)?.size ?? 0) > 0) continue
      this.swarm.leavePeer(peer)
      this.swarm.joinPeer(peer)
      this.scheduleRelay(peer)
    }
  }

  /**
   * When `peer` is still unreachable after `relayAfterMs`, its log goes to the relays its profile names
   * (the profile comes from the DHT if we never met the peer), and the mail shows `relayed` once held.
   */
  private scheduleRelay(peer: Buffer): void {
    const hex = peer.toString('hex')
    if (this.relayTimers.has(hex) || this.closing) return
    const timer = setTimeout(() => {
      this.relayTimers.delete(hex)
      this.background('relay', () => this.depositWithRelays(peer))
    }, this.options.relayAfterMs)
    timer.unref()
    this.relayTimers.set(hex, timer)
  }

  private async depositWithRelays(peer: Buffer): Promise<void> {
    const hex = peer.toString('hex')
    if ((this.sessions.get(hex)?.size ?? 0) > 0 || !(await this.outbox.hasPending(hex))) return
    // The DHT has the peer's newest profile (its relays may have changed since we met it).
    const found = await this.swarm.dht.mutableGet(peer, { latest: true }).catch(() => null)
    const known = await this.peers.get(hex)
    if (found && openProfile(found.value).identity.equals(peer)) {
      await this.peers.update(hex, found.value, known?.knowsUs ?? false)
      if (!known) await this.outbox.pump(hex)
    }
    const info = await this.peers.get(hex)
    const deposit = await this.outbox.depositFor(hex)
    if (!info || !deposit || info.relays.length === 0) return
    for (const relay of info.relays) this.relays.deposit(relay, { recipient: peer, ...deposit })
  }

  // Our signed profile on the DHT, under our identity key: how a sender who never met us finds our
  // prekeys and relays. Best effort: the DHT may be unreachable.
  private publishProfile(): void {
    const keyPair = {
      publicKey: this.identity.publicKey,
      secretKey: this.identity.secretKey,
    }
    const profile = this.profile
    this.background('publish-profile', async () => {
      await this.swarm.dht.mutablePut(keyPair, profile, { seq: openProfile(profile).issuedAt })
    })
  }

  private async offerTo(session: PeerSession): Promise<void> {
    const offer = await this.outbox.offerFor(session.peer)
    if (offer && !session.offered.has(offer.logKey.toString('hex'))) session.sendOffer(offer)
  }

  private ingestFor(sender: Buffer, logKey: Buffer): Promise<LogIngest | undefined> {
    const name = `${sender.toString('hex')}/${logKey.toString('hex')}`
    const existing = this.ingests.get(name)
    if (existing) return existing
    const fromSender = [...this.ingests.keys()].filter((k) => k.startsWith(sender.toString('hex')))
    if (fromSender.length >= MAX_LOGS_PER_SENDER) return Promise.resolve(undefined)
    const ingest = new LogIngest(
      {
        mailbox: this.mailbox,
        store: this.store,
        keyring: this.keyring,
        admission: this.admission,
        maxMessageBytes: this.options.maxMessageBytes,
        onMail: (summaries) => this.emit('mail', summaries),
        onProgress: (handled, length) =>
          this.emit('progress', { peer: sender, log: logKey, handled, length }),
        sendAck: (peer, ack) => {
          const frame = encodeAck(ack, this.identity)
          for (const session of this.sessions.get(peer) ?? []) session.sendAck(frame)
          for (const link of this.relayedLogs.get(ingest.name) ?? []) link.send('ack', frame)
        },
      },
      sender,
      logKey,
    )
    const opened = ingest.open().then(() => ingest)
    this.ingests.set(name, opened)
    opened.catch(() => this.ingests.delete(name))
    return opened
  }

  private background(what: string, task: () => Promise<void>): void {
    task().catch((err: unknown) => {
      if (!this.closing) this.log('task-failed', { what, message: String(err) })
    })
  }

  private assertOpen(): void {
    if (this.closing) throw SyncError.CLOSED()
  }
}
