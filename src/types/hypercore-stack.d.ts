// The Hypercore stack ships no types: the parts Peermail uses, typed as narrowly as it needs.
declare module 'hypercore' {
  import type { EventEmitter } from 'node:events'

  interface HypercoreGetOptions {
    wait?: boolean
    timeout?: number
    valueEncoding?: unknown
  }

  export default class Hypercore extends EventEmitter {
    /** A RocksDB-backed storage for a Corestore or core; options reach RocksDB (e.g. writeBufferSize). */
    static defaultStorage(dir: string, opts?: { writeBufferSize?: number }): unknown
    readonly key: Buffer | null
    readonly discoveryKey: Buffer | null
    readonly length: number
    readonly byteLength: number
    readonly writable: boolean
    readonly closed: boolean
    readonly opened: boolean
    ready(): Promise<void>
    close(): Promise<void>
    append(blocks: Buffer | Buffer[]): Promise<{ length: number; byteLength: number }>
    get(index: number, opts?: HypercoreGetOptions): Promise<Buffer | null>
    has(start: number, end?: number): Promise<boolean>
    /** Learns the newest length from connected peers; false at once when none is connected. */
    update(opts?: { wait?: boolean }): Promise<boolean>
    /** Fetches a range from peers in the background (`end` exclusive; without it, forever). */
    download(range?: { start?: number; end?: number }): { done(): Promise<void>; destroy(): void }
    clear(start: number, end?: number): Promise<unknown>
    purge(): Promise<void>
    info(opts?: { storage?: boolean }): Promise<{
      length: number
      contiguousLength: number
      byteLength: number
      storage?: { oplog: number; tree: number; blocks: number; bitfield: number } | null
    }>
    replicate(
      isInitiatorOrStream: boolean | NodeJS.ReadWriteStream,
      opts?: unknown,
    ): NodeJS.ReadWriteStream
  }
}

declare module 'corestore' {
  import type Hypercore from 'hypercore'

  interface CorestoreOptions {
    primaryKey?: Buffer
    unsafe?: boolean
  }

  interface GetOptions {
    name?: string
    key?: Buffer
    encryption?: { key: Buffer } | null
    valueEncoding?: unknown
    exclusive?: boolean
    /** The core's cache of decoded blocks (Hyperbee keeps keys and tree nodes in it); set when it opens. */
    globalCache?: import('rache').default
  }

  export default class Corestore {
    constructor(storage: unknown, opts?: CorestoreOptions)
    readonly primaryKey: Buffer
    ready(): Promise<void>
    close(): Promise<void>
    get(opts: GetOptions | Buffer): Hypercore
    namespace(name: string | Buffer): Corestore
    session(opts?: unknown): Corestore
    replicate(
      isInitiatorOrStream: boolean | NodeJS.ReadWriteStream,
      opts?: unknown,
    ): NodeJS.ReadWriteStream
  }
}

declare module 'hyperbee' {
  import type Hypercore from 'hypercore'

  type Encoding = 'utf-8' | 'binary' | 'json'

  interface HyperbeeOptions {
    keyEncoding?: Encoding
    valueEncoding?: Encoding
  }

  export interface Entry<V> {
    seq: number
    key: string
    value: V
  }

  export interface Range {
    gt?: string
    gte?: string
    lt?: string
    lte?: string
    reverse?: boolean
    limit?: number
  }

  export interface Batch<V> {
    get(key: string): Promise<Entry<V> | null>
    createReadStream(range?: Range): AsyncIterable<Entry<V>>
    put(key: string, value: V): Promise<void>
    del(key: string): Promise<void>
    flush(): Promise<void>
    close(): Promise<void>
  }

  export default class Hyperbee<V = unknown> {
    constructor(core: Hypercore, opts?: HyperbeeOptions)
    readonly core: Hypercore
    readonly version: number
    ready(): Promise<void>
    close(): Promise<void>
    get(key: string): Promise<Entry<V> | null>
    put(key: string, value: V): Promise<void>
    del(key: string): Promise<void>
    batch(): Batch<V>
    /** A read-only view of the current version, on its own core session: close it when done. */
    snapshot(): Hyperbee<V>
    createReadStream(range?: Range): AsyncIterable<Entry<V>>
    clearUnlinked(opts?: { gte?: number; lt?: number }): Promise<number>
  }
}

declare module 'rache' {
  /** A cache bounded by entry count, evicting at random (Hyperbee's key and node cache). */
  export default class Rache {
    constructor(opts?: { maxSize?: number })
    readonly maxSize: number
  }
}
