// Hyperswarm, HyperDHT and Protomux ship no types: the parts Peermail uses, typed as narrowly as it needs.
declare module 'hyperdht' {
  import type { EventEmitter } from 'node:events'

  export interface KeyPair {
    publicKey: Buffer
    secretKey: Buffer
  }

  export interface BootstrapNode {
    host: string
    port: number
  }

  export interface HyperDHTOptions {
    bootstrap?: (BootstrapNode | string)[]
    host?: string
    /** A port, or a range [from, to) tried in order before any port (dht-rpc); default 49737-49741. */
    port?: number | [number, number]
    keyPair?: KeyPair
    ephemeral?: boolean
    firewalled?: boolean
  }

  export default class HyperDHT extends EventEmitter {
    constructor(opts?: HyperDHTOptions)
    static keyPair(seed?: Buffer): KeyPair
    readonly destroyed: boolean
    /** True once the first bootstrap finished (whether or not it reached any node). */
    readonly bootstrapped: boolean
    /** The routing table: empty after bootstrapping means no DHT node was reached. */
    readonly table: { readonly size: number }
    fullyBootstrapped(): Promise<void>
    /** Stores `value` (≤ 1000 bytes) on the DHT under `keyPair.publicKey`, signed; a higher seq wins. */
    mutablePut(keyPair: KeyPair, value: Buffer, opts?: { seq?: number }): Promise<unknown>
    /** The newest value stored under `publicKey`, verified against it, or null. */
    mutableGet(
      publicKey: Buffer,
      opts?: { seq?: number; latest?: boolean },
    ): Promise<{ value: Buffer; seq: number } | null>
    address(): { host: string; port: number }
    destroy(opts?: { force?: boolean }): Promise<void>
  }
}

declare module 'hyperswarm' {
  import type { EventEmitter } from 'node:events'
  import type { Duplex } from 'node:stream'
  import type HyperDHT from 'hyperdht'
  import type { KeyPair } from 'hyperdht'

  /** A Noise-encrypted connection; `remotePublicKey` is the authenticated peer identity. */
  export interface SwarmConnection extends Duplex {
    readonly remotePublicKey: Buffer
    readonly publicKey: Buffer
    readonly isInitiator: boolean
    readonly rawStream?: { remoteHost?: string }
  }

  export interface PeerInfo {
    readonly publicKey: Buffer
    readonly client: boolean
  }

  export interface HyperswarmOptions {
    keyPair?: KeyPair
    dht?: HyperDHT
    /** Returns true to refuse a peer (the swarm then bans it for its lifetime). */
    firewall?: (remotePublicKey: Buffer, payload: unknown) => boolean
    /** Retry delays for explicit peers, in ms: [short, medium, long, extra-long]. */
    backoffs?: [number, number, number, number]
    jitter?: number
    maxPeers?: number
  }

  export default class Hyperswarm extends EventEmitter {
    constructor(opts?: HyperswarmOptions)
    readonly keyPair: KeyPair
    readonly dht: HyperDHT
    readonly connections: Set<SwarmConnection>
    readonly destroyed: boolean
    listen(): Promise<void>
    joinPeer(publicKey: Buffer): void
    leavePeer(publicKey: Buffer): void
    flush(): Promise<boolean>
    destroy(opts?: { force?: boolean }): Promise<void>
    on(event: 'connection', listener: (conn: SwarmConnection, info: PeerInfo) => void): this
    on(event: string, listener: (...args: unknown[]) => void): this
  }
}

declare module 'protomux' {
  import type { Duplex } from 'node:stream'

  export interface ProtomuxMessage {
    send(data: Buffer): boolean
  }

  export interface ChannelOptions {
    protocol: string
    id?: Buffer | null
    unique?: boolean
    messages?: { onmessage: (data: Buffer) => void | Promise<void> }[]
    onopen?: () => void
    onclose?: () => void
    ondestroy?: () => void
  }

  export interface Channel {
    readonly opened: boolean
    readonly closed: boolean
    readonly messages: ProtomuxMessage[]
    open(handshake?: unknown): void
    close(): void
    cork(): void
    uncork(): void
  }

  export default class Protomux {
    static from(stream: Duplex): Protomux
    createChannel(opts: ChannelOptions): Channel | null
  }
}
