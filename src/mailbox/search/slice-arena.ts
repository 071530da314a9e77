import { MailboxError } from '../errors.js'
import { ensureLength } from './arrays.js'

/*
 * Growable byte streams, one per id (a term's new postings), without an object per stream: each
 * stream is a chain of slices in shared pages, after Lucene's ByteBlockPool. Slices grow 8, 16, …
 * 1024 bytes, a 4-byte link to the next slice first, so a stream of one posting costs 8 bytes and a
 * long one wastes under 1 KB; pages are allocated as needed, so nothing is ever copied to grow.
 * Most terms occur in one or two messages, and a typed array each would cost far more than that.
 */

const PAGE_BITS = 20
const PAGE_SIZE = 1 << PAGE_BITS
const PAGE_MASK = PAGE_SIZE - 1
/** Addresses are 32-bit (page index above PAGE_BITS, offset below), NONE excluded. */
const MAX_PAGES = 4095
const SLICE_SIZES = [8, 16, 32, 64, 128, 256, 512, 1024] as const
const TOP_LEVEL = SLICE_SIZES.length - 1
const NONE = 0xffffffff
const EMPTY = new Uint8Array(0)

/** Byte streams by id, append-only. */
export class SliceArena {
  private head: Uint32Array = new Uint32Array(0)
  private tail: Uint32Array = new Uint32Array(0)
  private level: Uint8Array = new Uint8Array(0)
  /** Where the next byte of each stream goes; NONE for an empty stream. */
  private write: Uint32Array = new Uint32Array(0)
  private pages: Uint8Array[] = []
  private pageUsed = 0

  /** Makes room for streams 0 to `count - 1` (new ones empty). */
  resize(count: number): void {
    const old = this.head.length
    if (count <= old) return
    this.head = ensureLength(this.head, count)
    this.tail = ensureLength(this.tail, count)
    this.level = ensureLength(this.level, count)
    this.write = ensureLength(this.write, count)
    this.head.fill(NONE, old)
    this.write.fill(NONE, old)
  }

  /** Appends `value` (0 ≤ value < 2^31) as a varint to stream `id`. */
  varint(id: number, value: number): void {
    let v = value
    while (v >= 0x80) {
      this.byte(id, (v & 0x7f) | 0x80)
      v >>>= 7
    }
    this.byte(id, v)
  }

  /** A reader of stream `id` from its start, or null when it is empty. */
  reader(id: number): ArenaReader | null {
    const head = this.head[id] ?? NONE
    return head === NONE ? null : new ArenaReader(this.pages, head, this.write[id] ?? NONE)
  }

  /** Calls `visit` with the bytes of stream `id`, slice by slice, in order. */
  forEachRun(id: number, visit: (bytes: Uint8Array) => void): void {
    let slice = this.head[id] ?? NONE
    const tail = this.tail[id] ?? NONE
    for (let level = 0; slice !== NONE; level = Math.min(level + 1, TOP_LEVEL)) {
      const page = this.pageAt(slice)
      const start = (slice & PAGE_MASK) + 4
      if (slice === tail) {
        visit(page.subarray(start, start + (this.write[id] ?? 0) - slice - 4))
        return
      }
      visit(page.subarray(start, start - 4 + (SLICE_SIZES[level] ?? 0)))
      slice = readLink(page, slice & PAGE_MASK)
    }
  }

  private byte(id: number, byte: number): void {
    let at = this.write[id] ?? NONE
    if (at === NONE) {
      const slice = this.allocate(0)
      this.head[id] = slice
      this.tail[id] = slice
      this.level[id] = 0
      at = slice + 4
    } else {
      const tail = this.tail[id] ?? 0
      const level = this.level[id] ?? 0
      if (at === tail + (SLICE_SIZES[level] ?? 0)) {
        const next = Math.min(level + 1, TOP_LEVEL)
        const slice = this.allocate(next)
        const page = this.pageAt(tail)
        const offset = tail & PAGE_MASK
        page[offset] = slice & 0xff
        page[offset + 1] = (slice >>> 8) & 0xff
        page[offset + 2] = (slice >>> 16) & 0xff
        page[offset + 3] = slice >>> 24
        this.tail[id] = slice
        this.level[id] = next
        at = slice + 4
      }
    }
    this.pageAt(at)[at & PAGE_MASK] = byte
    this.write[id] = at + 1
  }

  /** A slice of `level`'s size, never straddling two pages. Returns its address. */
  private allocate(level: number): number {
    const size = SLICE_SIZES[level] ?? 0
    const last = this.pages.at(-1)
    if (last === undefined || this.pageUsed + size > last.length) {
      const n = this.pages.length
      if (n >= MAX_PAGES) throw MailboxError.INVALID_ARGUMENT('the search index is full')
      // Pages grow 16 KB, 64 KB, 256 KB, then 1 MB each, so a small mailbox stays small.
      this.pages.push(new Uint8Array(n < 3 ? 1 << (14 + 2 * n) : PAGE_SIZE))
      this.pageUsed = 0
    }
    const address = (this.pages.length - 1) * PAGE_SIZE + this.pageUsed
    this.pageUsed += size
    return address
  }

  private pageAt(address: number): Uint8Array {
    return this.pages[Math.floor(address / PAGE_SIZE)] ?? EMPTY
  }
}

function readLink(page: Uint8Array, offset: number): number {
  return (
    ((page[offset] ?? 0) |
      ((page[offset + 1] ?? 0) << 8) |
      ((page[offset + 2] ?? 0) << 16) |
      ((page[offset + 3] ?? 0) << 24)) >>>
    0
  )
}

/** Reads one stream as varints, following its links; the arena wrote it, so it is trusted. */
export class ArenaReader {
  private page: Uint8Array
  private base: number
  private offset: number
  private end: number
  private slice: number
  private level = 0

  constructor(
    private readonly pages: readonly Uint8Array[],
    head: number,
    private readonly stop: number,
  ) {
    this.slice = head
    this.base = head - (head & PAGE_MASK)
    this.page = pages[this.base / PAGE_SIZE] ?? EMPTY
    this.offset = (head & PAGE_MASK) + 4
    this.end = (head & PAGE_MASK) + SLICE_SIZES[0]
  }

  /** True while the stream has bytes left. */
  more(): boolean {
    return this.base + this.offset !== this.stop
  }

  varint(): number {
    let byte = this.byte()
    let value = byte & 0x7f
    for (let shift = 7; byte >= 0x80; shift += 7) {
      byte = this.byte()
      value |= (byte & 0x7f) << shift
    }
    return value
  }

  private byte(): number {
    if (this.offset === this.end) {
      const next = readLink(this.page, this.slice & PAGE_MASK)
      this.level = Math.min(this.level + 1, TOP_LEVEL)
      this.slice = next
      this.base = next - (next & PAGE_MASK)
      this.page = this.pages[this.base / PAGE_SIZE] ?? EMPTY
      this.offset = (next & PAGE_MASK) + 4
      this.end = (next & PAGE_MASK) + (SLICE_SIZES[this.level] ?? 0)
    }
    return this.page[this.offset++] ?? 0
  }
}
