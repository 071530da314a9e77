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
  decodeAddress,
  encodeAddress,
  mintStamp,
  randomBytes,
  stampMessageHash,
  verifyStamp,
  type AccountKeys,
  type EnvelopeRecipient,
  type SigningKeyPair,
  type StampSubject,
} from '../../src/crypto/index.js'
import type { Account } from '../../src/index.js'
import { createCorestore } from '../../src/mailbox/index.js'
import type { SyncEngine } from '../../src/sync/engine.js'
import { frameMail } from '../../src/sync/frames.js'
import { ANY_PORT, type BootstrapNode } from '../../src/sync/network.js'
import { sealBlock } from '../../src/sync/pair-log.js'
import { peerMailAddress } from '../../src/sync/peer-address.js'
import { openProfile, sealingKeyOf, signProfile, type Profile } from '../../src/sync/profile.js'
import {
  CHANNEL_PROTOCOL,
  decodeAck,
  decodeHello,
  encodeHello,
  encodeOffer,
  signOffer,
  type Ack,
  type Hello,
} from '../../src/sync/wire.js'
import { makeAccount } from './accounts.js'
import { test as networkTest } from './network.js'

/**
 * A hand-driven peer for adversarial tests: a real HyperDHT node (bound to 127.0.0.1, with its own
 * identity keypair so Noise proves who it is), a real Corestore its pair logs replicate from, and a raw
 * `peermail/1` channel on which the test sends whatever bytes it likes. It dials one connection per
 * {@link RoguePeer.connect} call and never redials by itself, so every connection the victim sees is one
 * the test asked for.
 */

// HyperDHT's `connect` (not in the project's narrow typings): a Noise stream to `publicKey`.
interface Dialer {
  connect(publicKey: Buffer, options: { keyPair: KeyPair }): SwarmConnection
}

export type ChannelMessage = 'hello' | 'offer' | 'ack'

/** One connection of a rogue peer: the frames the victim sent on it, and ways to wait for them. */
export class RogueConnection {
  /** Hellos and acks the victim sent, decoded, in arrival order. */
  readonly hellos: Hello[] = []
  readonly acks: Ack[] = []
  /** Resolves once the Noise handshake completed; rejects if the connection ends first. */
  readonly opened: Promise<void>
  /** Resolves when the connection has ended, whoever ended it. */
  readonly closed: Promise<void>
  private readonly events = new EventEmitter()
  private readonly messages: Record<ChannelMessage, ProtomuxMessage>
  private ended = false
  private wasOpened = false

  constructor(
    readonly stream: SwarmConnection,
    store: Corestore | null,
  ) {
    this.events.setMaxListeners(0)
    stream.on('error', () => {
      // Refused, reset or destroyed by the victim: reported through `closed`.
    })
    this.opened = new Promise<void>((resolve, reject) => {
      stream.once('open', () => {
        this.wasOpened = true
        resolve()
      })
      stream.once('close', () => {
        reject(new Error('the connection closed before it opened'))
      })
    })
    this.opened.catch(() => {})
    this.closed = new Promise<void>((resolve) => {
      stream.once('close', () => {
        this.ended = true
        this.events.emit('change')
        resolve()
      })
    })
    if (store) store.replicate(stream)
    const channel = Protomux.from(stream).createChannel({
      protocol: CHANNEL_PROTOCOL,
      messages: [
        {
          onmessage: (frame) => {
            this.hellos.push(decodeHello(frame))
            this.events.emit('change')
          },
        },
        { onmessage: () => {} },
        {
          onmessage: (frame) => {
            this.acks.push(decodeAck(frame))
            this.events.emit('change')
          },
        },
      ],
    })
    if (!channel) throw new Error('peermail/1 is already open on this connection')
    const [hello, offer, ack] = channel.messages
    if (!hello || !offer || !ack) throw new Error('peermail/1 lacks its messages')
    this.messages = { hello, offer, ack }
    channel.open()
  }

  get isClosed(): boolean {
    return this.ended
  }

  get didOpen(): boolean {
    return this.wasOpened
  }

  /** Sends raw bytes as one `peermail/1` message of the given type. */
  send(type: ChannelMessage, frame: Buffer): void {
    this.messages[type].send(frame)
  }

  /** The victim's first hello, with its signed profile opened. */
  async victimProfile(): Promise<Profile> {
    const hello = await this.until('a hello', () => this.hellos[0])
    return openProfile(hello.profile)
  }

  /** The first ack for `logKey` that covers `length` blocks. */
  ackCovering(logKey: Buffer, length: number): Promise<Ack> {
    return this.until(`an ack covering ${length} blocks`, () =>
      this.acks.find((a) => a.logKey.equals(logKey) && a.length >= length),
    )
  }

  /** Whichever comes first: the victim says hello, or the connection ends. */
  helloOrClose(): Promise<'hello' | 'closed'> {
    return new Promise((resolve) => {
      const check = () => {
        const outcome = this.hellos.length > 0 ? 'hello' : this.ended ? 'closed' : undefined
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

export class RoguePeer {
  readonly keys: AccountKeys
  /** `pm1…` */
  readonly address: string
  /** `pm1…@peermail.invalid`, as a From header names it. */
  readonly mailAddress: string
  readonly store: Corestore
  private readonly dht: HyperDHT
  private readonly connections = new Set<RogueConnection>()
  private closing: Promise<void> | null = null

  private constructor(
    bootstrap: BootstrapNode[],
    private readonly dir: string,
  ) {
    if (!bootstrap.every((node) => node.host === '127.0.0.1'))
      throw new Error('rogue peers only run on the loopback testnet')
    this.keys = makeAccount()
    this.address = encodeAddress(this.keys.identity.publicKey)
    this.mailAddress = peerMailAddress(this.keys.identity.publicKey)
    const keyPair = {
      publicKey: this.keys.identity.publicKey,
      secretKey: this.keys.identity.secretKey,
    }
    this.dht = new HyperDHT({ bootstrap, host: '127.0.0.1', port: ANY_PORT, keyPair })
    this.store = createCorestore(dir)
  }

  static async create(bootstrap: BootstrapNode[]): Promise<RoguePeer> {
    const dir = await mkdtemp(join(tmpdir(), 'peermail-rogue-'))
    const rogue = new RoguePeer(bootstrap, dir)
    await rogue.dht.fullyBootstrapped()
    await rogue.store.ready()
    return rogue
  }

  get identity(): SigningKeyPair {
    return this.keys.identity
  }

  /**
   * Dials `target` (an identity key) once. With `replicate` (the default) the pair-log store replicates
   * on it, as a real peer's would. The connection may be refused: see {@link RogueConnection.opened}.
   */
  connect(target: Buffer, options: { replicate?: boolean } = {}): RogueConnection {
    const keyPair = {
      publicKey: this.keys.identity.publicKey,
      secretKey: this.keys.identity.secretKey,
    }
    const stream = (this.dht as unknown as Dialer).connect(target, { keyPair })
    const connection = new RogueConnection(stream, options.replicate === false ? null : this.store)
    this.connections.add(connection)
    void connection.closed.then(() => this.connections.delete(connection))
    return connection
  }

  /** Dials `target`, waits for the connection and says hello with its own, valid, signed profile. */
  async greet(target: Buffer): Promise<{ conn: RogueConnection; victim: Profile }> {
    const conn = this.connect(target)
    await conn.opened
    conn.send('hello', this.hello())
    return { conn, victim: await conn.victimProfile() }
  }

  /** This peer's own signed profile. */
  profile(): Buffer {
    return signProfile(
      {
        encryptionKey: this.keys.encryption.publicKey,
        stampDifficulty: 0,
        issuedAt: Date.now(),
        relays: [],
        prekeys: [],
      },
      this.keys.identity,
    )
  }

  /** A well-formed hello frame carrying `profile` (its own by default). */
  hello(profile: Buffer = this.profile()): Buffer {
    return encodeHello({ profile, knowsYou: false })
  }

  /** A new, empty pair log this peer writes. */
  async createLog(): Promise<Hypercore> {
    const log = this.store.get({ name: `pair-log/${randomBytes(8).toString('hex')}` })
    await log.ready()
    return log
  }

  /** An offer frame for `logKey` to `recipient`, signed by `signer` (this peer unless told otherwise). */
  offer(
    logKey: Buffer,
    recipient: Buffer,
    options: { signer?: SigningKeyPair; signedFor?: Buffer; ackedUpTo?: number } = {},
  ): Buffer {
    const signer = options.signer ?? this.keys.identity
    return encodeOffer({
      logKey,
      ackedUpTo: options.ackedUpTo ?? 0,
      signature: signOffer(logKey, signer, options.signedFor ?? recipient),
    })
  }

  /** A plain-text mail from this peer (From: its own address) to `to`. */
  mail(to: Profile, subject: string): Buffer {
    return rawMail([
      `From: ${this.mailAddress}`,
      `To: ${peerMailAddress(to.identity)}`,
      `Subject: ${subject}`,
    ])
  }

  /** A stamp good for `to`'s difficulty on `raw`, as the real outbox mints it. */
  stamp(raw: Buffer, to: Profile): Buffer {
    return mintStamp(this.stampSubject(raw, to.identity), to.stampDifficulty)
  }

  stampSubject(raw: Buffer, recipient: Buffer): StampSubject {
    return { sender: this.keys.identity.publicKey, recipient, messageHash: stampMessageHash(raw) }
  }

  /**
   * The blocks of `raw` sealed, as the real outbox seals them, for positions `seq…` of `logKey`. `stamp`
   * defaults to a good one for `to`; pass null for none.
   */
  seal(
    raw: Buffer,
    where: { logKey: Buffer; seq: number },
    to: Profile,
    stamp: Buffer | null = this.stamp(raw, to),
  ): Buffer[] {
    return frameMail(raw, stamp ?? undefined).map((frame, i) =>
      sealBlock(
        frame,
        { logKey: where.logKey, seq: where.seq + i },
        this.keys.identity,
        recipientOf(to),
      ),
    )
  }

  /** Seals `raw` at the end of `log` and appends it; returns the log length after it. */
  async append(log: Hypercore, raw: Buffer, to: Profile, stamp?: Buffer | null): Promise<number> {
    const blocks = this.seal(raw, { logKey: log.key as Buffer, seq: log.length }, to, stamp)
    return (await log.append(blocks)).length
  }

  /** Destroys every connection and the DHT node, then the store, then the directory. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const connection of this.connections) connection.destroy()
      await this.dht.destroy({ force: true })
      await this.store.close()
      await rm(this.dir, { recursive: true, force: true })
    })()
    return this.closing
  }
}

/** The key a real sender seals to for `profile` (its newest valid prekey), as `sealBlock` takes it. */
export function recipientOf(profile: Profile): EnvelopeRecipient {
  return {
    identityPublicKey: profile.identity,
    encryptionPublicKey: sealingKeyOf(profile, Date.now()),
  }
}

/** A minimal RFC 5322 mail with the given header lines (each used verbatim) and a unique Message-ID. */
export function rawMail(headers: string[], body = 'body text'): Buffer {
  return Buffer.from(
    [
      ...headers,
      `Message-ID: <${randomBytes(8).toString('hex')}@peermail.invalid>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join('\r\n'),
  )
}

/** A stamp for `subject` that is NOT good for `check` at `difficulty` (re-minted until it fails). */
export function badStamp(
  mintFor: StampSubject,
  mintDifficulty: number,
  check: StampSubject,
  difficulty: number,
): Buffer {
  for (;;) {
    const stamp = mintStamp(mintFor, mintDifficulty)
    try {
      verifyStamp(stamp, check, { difficulty })
    } catch {
      return stamp
    }
  }
}

/** The identity key of an account. */
export function identityOf(account: Account): Buffer {
  return decodeAddress(account.address)
}

/**
 * Calls `onRefused` whenever `account`'s swarm firewall turns `peer` away. The firewall is the only place
 * a refused dial is visible (the dialing side gets no event), so this reaches into the account's engine:
 * the swarm asks `engine.isBlocked` for every incoming connection.
 */
export function watchFirewall(account: Account, peer: Buffer, onRefused: () => void): void {
  const engine = (account as unknown as { sync?: SyncEngine }).sync
  if (!engine) throw new Error('the account has no sync engine to watch')
  const isBlocked = engine.isBlocked.bind(engine)
  engine.isBlocked = (key: Buffer) => {
    const blocked = isBlocked(key)
    if (blocked && key.equals(peer)) onRefused()
    return blocked
  }
}

/** The `network` fixture plus `rogues`: rogue peers on the same testnet, closed before it. */
export const test = networkTest.extend<{ rogues: { create(): Promise<RoguePeer> } }>({
  rogues: async ({ network }, use) => {
    const made: RoguePeer[] = []
    try {
      await use({
        create: async () => {
          const rogue = await RoguePeer.create(network.net.bootstrap)
          made.push(rogue)
          return rogue
        },
      })
    } finally {
      for (const rogue of made) await rogue.close()
    }
  },
})
