import { ensureLength } from './arrays.js'

const CHUNK_SIZE = 1 << 20
const EMPTY = new Uint8Array(0)

/**
 * Byte strings by number (0, 1, 2, … in the order they are pushed), packed into shared chunks
 * rather than a typed array each: most hold tens of bytes, which an array object apiece would cost
 * more than. The first chunk may be a region of a snapshot, read in place; pushes never write into
 * it. Entries follow each other in a chunk, so an entry starts where the one before it ends, or at
 * 0 when that one is in another chunk.
 */
export class ByteColumn {
  /** Entries held. */
  count = 0
  private chunks: Uint8Array[] = []
  private used = 0
  private chunkOf: Uint32Array = new Uint32Array(0)
  private ends: Uint32Array = new Uint32Array(0)

  /**
   * A column whose entry i is the next `lengths[i] × unitBytes` bytes of `bytes`, which it keeps
   * (no copy). The lengths must add up to the bytes given, which the caller has checked.
   */
  static over(bytes: Uint8Array, lengths: Uint32Array, unitBytes = 1): ByteColumn {
    const column = new ByteColumn()
    const count = lengths.length
    column.count = count
    column.chunks = [bytes]
    column.used = bytes.length
    column.chunkOf = new Uint32Array(count)
    column.ends = new Uint32Array(count)
    let pos = 0
    for (let i = 0; i < count; i++) column.ends[i] = pos += (lengths[i] ?? 0) * unitBytes
    return column
  }

  /** Appends a copy of `bytes` as entry {@link count}; returns its number. */
  push(bytes: Uint8Array): number {
    const i = this.count++
    this.chunkOf = ensureLength(this.chunkOf, this.count)
    this.ends = ensureLength(this.ends, this.count)
    let chunk = this.chunks.at(-1)
    if (chunk === undefined || this.used + bytes.length > chunk.length) {
      // Chunks grow 16 KB, 64 KB, 256 KB, then 1 MB each, so a small mailbox stays small.
      const size = Math.min(CHUNK_SIZE, 1 << (14 + 2 * this.chunks.length))
      chunk = new Uint8Array(Math.max(bytes.length, size))
      this.chunks.push(chunk)
      this.used = 0
    }
    chunk.set(bytes, this.used)
    this.chunkOf[i] = this.chunks.length - 1
    this.ends[i] = this.used += bytes.length
    return i
  }

  /** Entry `i`, a view. */
  get(i: number): Uint8Array {
    return this.chunk(i).subarray(this.start(i), this.end(i))
  }

  /**
   * The chunk that holds entry `i`, which spans {@link start} to {@link end} in it: how hot loops
   * read an entry without making a view of it.
   */
  chunk(i: number): Uint8Array {
    return this.chunks[this.chunkOf[i] ?? 0] ?? EMPTY
  }

  start(i: number): number {
    return i > 0 && this.chunkOf[i - 1] === this.chunkOf[i] ? (this.ends[i - 1] ?? 0) : 0
  }

  end(i: number): number {
    return this.ends[i] ?? 0
  }
}
