import { EventEmitter } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import HyperDHT, { type KeyPair } from 'hyperdht'
import type { SwarmConnection } from 'hyperswarm'
import Protomux, { type ProtomuxMessage } from 'protomux'
import {
  encodeAddress,
  mintStamp,
  randomBytes,
  stampMessageHash,
  type AccountKeys,
  type SigningKeyPair,
} from '../../src/crypto/index.js'
import { createCorestore } from '../../src/mailbox/index.js'
import { frameMail } from '../../src/sync/frames.js'
import { ANY_PORT, type BootstrapNode } from '../../src/sync/network.js'
import { sealBlock } from '../../src/sync/pair-log.js'
import { peerMailAddress } from '../../src/sync/peer-address.js'
import { openProfile, signProfile, type Profile } from '../../src/sync/profile.js'
import {
  RELAY_MESSAGES,
  RELAY_PROTOCOL,
  relayCodecs,
  verifyRegister,
  type RelayMessage,
} from '../../src/sync/relay-wire.js'
import { makeAccount } from './accounts.js'
import { test as networkTest } from './network.js'
import { rawMail, recipientOf } from './rogue-peer.js'

/**
 * Hand-driven ends of the `peermail-relay/1` channel, for adversarial relay tests: a real HyperDHT node
 * (bound to 127.0.0.1, its identity proven by Noise), a real Corestore that replicates on every
 * connection, and a raw relay channel on which the test sends whatever bytes it likes. The same node
 * plays a lying relay (it listens under its identity, as accounts dial their relays) or a hand-driven
 * account (it dials a real relay). It never redials by itself.
 */

// HyperDHT's server and dialer (not in the project's narrow typings).
interface DhtServer {
  listen(keyPair: KeyPair): Promise<void>
  close(): Promise<void>
}
interface DhtNode {
  connect(publicKey: Buffer, options: { keyPair: KeyPair }): SwarmConnection
  createServer(onConnection: (conn: SwarmConnection) => void): DhtServer
}

export type RelayFrameHandler = (wire: RelayWire, type: RelayMessage, frame: Buffer) => void

/** One connection carrying `peermail-relay/1`: every frame received on it, and ways to wait for them. */
export class RelayWire {
  readonly remoteKey: Buffer
  /** Every relay frame the other side sent, in arrival order. */
  readonly received: { type: RelayMessage; frame: Buffer }[] = []
  /** Resolves when the connection has ended, whoever ended it. */
  readonly closed: Promise<void>
  private readonly events = new EventEmitter()
  private readonly messages = new Map<RelayMessage, ProtomuxMessage>()
  private ended = false

  constructor(
    readonly stream: SwarmConnection,
    store: Corestore | null,
    onFrame: RelayFrameHandler,
  ) {
    this.events.setMaxListeners(0)
    this.remoteKey = Buffer.from(stream.remotePublicKey)
    stream.on('error', () => {
      // Refused, reset or destroyed by the other side: reported through `closed`.
    })
    this.closed = new Promise<void>((resolve) => {
      stream.once('close', () => {
        this.ended = true
        this.events.emit('change')
        resolve()
      })
    })
    if (store) store.replicate(stream)
    const channel = Protomux.from(stream).createChannel({
      protocol: RELAY_PROTOCOL,
      messages: RELAY_MESSAGES.map((type) => ({
        onmessage: (frame: Buffer) => {
          this.received.push({ type, frame })
          this.events.emit('change')
          onFrame(this, type, frame)
        },
      })),
    })
    if (!channel) throw new Error(`${RELAY_PROTOCOL} is already open on this connection`)
    for (const [i, type] of RELAY_MESSAGES.entries()) {
      const message = channel.messages[i]
      if (!message) throw new Error(`${RELAY_PROTOCOL} lacks its ${type} message`)
      this.messages.set(type, message)
    }
    channel.open()
  }

  get isClosed(): boolean {
    return this.ended
  }

  /** Sends raw bytes as one relay message of the given type. */
  send(type: RelayMessage, frame: Buffer): void {
    this.messages.get(type)?.send(frame)
  }

  /** The first frame of `type` (already received or still to come) that `match` accepts. */
  frame(type: RelayMessage, match: (frame: Buffer) => boolean = () => true): Promise<Buffer> {
    return this.until(`a ${type}`, () =>
      this.received.find((r) => r.type === type && match(r.frame)),
    ).then((r) => r.frame)
  }

  /** The `n`th frame of `type` (counting from 0), already received or still to come. */
  nth(type: RelayMessage, n: number): Promise<Buffer> {
    return this.until(`${type} #${n}`, () => this.received.filter((r) => r.type === type)[n]).then(
      (r) => r.frame,
    )
  }

  /** How many frames of `type` arrived so far. */
  count(type: RelayMessage): number {
    return this.received.filter((r) => r.type === type).length
  }

  /** The type of the first frame received, or 'closed' if the connection ends before any. */
  firstFrameOrClose(): Promise<RelayMessage | 'closed'> {
    return new Promise((resolve) => {
      const check = () => {
        const outcome = this.received[0]?.type ?? (this.ended ? 'closed' : undefined)
        if (!outcome) return
        this.events.off('change', check)
        resolve(outcome)
      }
      this.events.on('change', check)
      check()
    })
  }

  destroy(): void {
    this.stream.destroy()
  }

  // Resolves with `pick()` once it is defined; rejects as soon as the connection ends without it.
  private until<T>(what: string, pick: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = pick()
        if (value === undefined && !this.ended) return
        this.events.off('change', check)
        if (value !== undefined) resolve(value)
        else reject(new Error(`the connection closed before ${what}`))
      }
      this.events.on('change', check)
      check()
    })
  }
}

export class RogueNode {
  readonly keys: AccountKeys
  /** The identity key: what accounts name as their relay, or what a relay sees as the account. */
  readonly publicKey: Buffer
  /** `pm1…` */
  readonly address: string
  readonly store: Corestore
  /** Every connection so far, incoming or dialled, in the order they appeared. */
  readonly wires: RelayWire[] = []
  /** Called for every relay frame received on any connection; tests swap it to change behaviour. */
  onFrame: RelayFrameHandler = () => {}
  private readonly dht: HyperDHT
  private readonly events = new EventEmitter()
  private server: DhtServer | null = null
  private closing: Promise<void> | null = null

  private constructor(
    bootstrap: BootstrapNode[],
    private readonly dir: string,
    keys: AccountKeys,
  ) {
    if (!bootstrap.every((node) => node.host === '127.0.0.1'))
      throw new Error('rogue nodes only run on the loopback testnet')
    this.events.setMaxListeners(0)
    this.keys = keys
    this.publicKey = Buffer.from(keys.identity.publicKey)
    this.address = encodeAddress(this.publicKey)
    this.dht = new HyperDHT({ bootstrap, host: '127.0.0.1', port: ANY_PORT, keyPair: this.keyPair })
    this.store = createCorestore(dir)
  }

  /** A node with `keys` (fresh ones by default; pass an account's own to act as that account). */
  static async create(bootstrap: BootstrapNode[], keys = makeAccount()): Promise<RogueNode> {
    const dir = await mkdtemp(join(tmpdir(), 'peermail-rogue-relay-'))
    const node = new RogueNode(bootstrap, dir, keys)
    await node.dht.fullyBootstrapped()
    await node.store.ready()
    return node
  }

  get identity(): SigningKeyPair {
    return this.keys.identity
  }

  /** Accepts connections under its identity key, as a relay does. */
  async listen(): Promise<void> {
    if (this.server) return
    this.server = (this.dht as unknown as DhtNode).createServer((conn) => {
      this.track(conn)
    })
    await this.server.listen(this.keyPair)
  }

  /** Dials `target` (an identity key) once, replicating the store on the connection. */
  dial(target: Buffer): RelayWire {
    const conn = (this.dht as unknown as DhtNode).connect(target, { keyPair: this.keyPair })
    return this.track(conn)
  }

  /** The next connection with `peer` to appear from now on (incoming or dialled). */
  nextWire(peer: Buffer): Promise<RelayWire> {
    return new Promise((resolve) => {
      const onWire = (wire: RelayWire) => {
        if (!wire.remoteKey.equals(peer)) return
        this.events.off('wire', onWire)
        resolve(wire)
      }
      this.events.on('wire', onWire)
    })
  }

  /** The signed profile `key` published on the DHT, once it is there. */
  async profileOf(key: Buffer, timeoutMs = 15_000): Promise<Profile> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = await this.dht.mutableGet(key, { latest: true }).catch(() => null)
      if (found) return openProfile(found.value)
      if (Date.now() > deadline) throw new Error('no profile on the DHT')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** Publishes this node's own signed profile (no prekeys, no stamp asked) naming `relays`. */
  async publishProfile(relays: Buffer[]): Promise<Profile> {
    const issuedAt = Date.now()
    const profile = signProfile(
      {
        encryptionKey: this.keys.encryption.publicKey,
        stampDifficulty: 0,
        issuedAt,
        relays,
        prekeys: [],
      },
      this.keys.identity,
    )
    await this.dht.mutablePut(this.keyPair, profile, { seq: issuedAt })
    return openProfile(profile)
  }

  /** A new, empty, writable core in this node's store. */
  async createLog(): Promise<Hypercore> {
    const log = this.store.get({ name: `log/${randomBytes(8).toString('hex')}` })
    await log.ready()
    return log
  }

  /** Destroys every connection and the DHT node, then the store, then the directory. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const wire of this.wires) wire.destroy()
      await this.server?.close().catch(() => {})
      await this.dht.destroy({ force: true })
      await this.store.close()
      await rm(this.dir, { recursive: true, force: true })
    })()
    return this.closing
  }

  private get keyPair(): KeyPair {
    return { publicKey: this.keys.identity.publicKey, secretKey: this.keys.identity.secretKey }
  }

  private track(conn: SwarmConnection): RelayWire {
    const wire = new RelayWire(conn, this.closing ? null : this.store, (w, type, frame) => {
      this.onFrame(w, type, frame)
    })
    if (this.closing) wire.destroy()
    this.wires.push(wire)
    this.events.emit('wire', wire)
    return wire
  }
}

/** Answers a `register` as a relay does: checks it is signed for `relay`, then says `registered`. */
export function answerRegister(relay: RogueNode, wire: RelayWire, frame: Buffer): void {
  const register = relayCodecs.register.decode(frame)
  if (!verifyRegister(register, wire.remoteKey, relay.publicKey))
    throw new Error('a register not signed by the account for this relay')
  wire.send('registered', relayCodecs.registered.encode({ quotaBytes: 1 << 30, usedBytes: 0 }))
}

/** A plain-text mail from `sender` (its own From) to the owner of `to`. */
export function mailFrom(sender: SigningKeyPair, to: Profile, subject: string): Buffer {
  return rawMail([
    `From: ${peerMailAddress(sender.publicKey)}`,
    `To: ${peerMailAddress(to.identity)}`,
    `Subject: ${subject}`,
  ])
}

/**
 * `raw` sealed by `sender`, as the real outbox seals it, for positions `seq…` of `logKey`, with a stamp
 * good for `to`'s difficulty (the sender is a stranger to it).
 */
export function sealFrom(
  sender: SigningKeyPair,
  raw: Buffer,
  where: { logKey: Buffer; seq: number },
  to: Profile,
): Buffer[] {
  const stamp = mintStamp(
    { sender: sender.publicKey, recipient: to.identity, messageHash: stampMessageHash(raw) },
    to.stampDifficulty,
  )
  return frameMail(raw, stamp).map((frame, i) =>
    sealBlock(frame, { logKey: where.logKey, seq: where.seq + i }, sender, recipientOf(to)),
  )
}

/** Fails after `ms` unless `promise` settles first (a bounded wait for something that must happen). */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`${what}: nothing after ${ms} ms`))
        }, ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** The `network` fixture plus `rogueNodes`: hand-driven relay-channel nodes, closed before it. */
export const test = networkTest.extend<{
  rogueNodes: { create(keys?: AccountKeys): Promise<RogueNode> }
}>({
  rogueNodes: async ({ network }, use) => {
    const made: RogueNode[] = []
    try {
      await use({
        create: async (keys) => {
          const node = await RogueNode.create(network.net.bootstrap, keys)
          made.push(node)
          return node
        },
      })
    } finally {
      for (const node of made) await node.close()
    }
  },
})
