/*
 * Unsigned LEB128 varints, the compact integer form of postings, token sequences and snapshots.
 * Values stay below 2^31 so that every step is small-integer arithmetic.
 */

/** Largest value a varint here holds. */
export const MAX_VARINT = 0x7fffffff

/** A large run of bytes that copies itself into a buffer: a region of a snapshot being written. */
export interface ByteRegion {
  readonly length: number
  copyTo(target: Uint8Array, at: number): void
}

/** An append-only byte buffer that doubles as it fills. */
export class ByteWriter {
  private buffer: Uint8Array
  private scratch = new DataView(new ArrayBuffer(8))
  length = 0

  constructor(capacity = 256) {
    this.buffer = new Uint8Array(capacity)
  }

  /** Appends `value` (0 ≤ value ≤ {@link MAX_VARINT}, an integer). */
  varint(value: number): void {
    this.reserve(5)
    const buffer = this.buffer
    let v = value
    let at = this.length
    while (v >= 0x80) {
      buffer[at++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    buffer[at++] = v
    this.length = at
  }

  byte(value: number): void {
    this.reserve(1)
    this.buffer[this.length++] = value
  }

  /** Appends `value` as 8 bytes, little-endian. */
  f64(value: number): void {
    this.scratch.setFloat64(0, value, true)
    this.bytes(new Uint8Array(this.scratch.buffer))
  }

  /** Appends `value` as 4 bytes, little-endian. */
  u32(value: number): void {
    this.scratch.setUint32(0, value, true)
    this.bytes(new Uint8Array(this.scratch.buffer, 0, 4))
  }

  bytes(source: Uint8Array): void {
    this.reserve(source.length)
    this.buffer.set(source, this.length)
    this.length += source.length
  }

  region(source: ByteRegion): void {
    this.reserve(source.length)
    source.copyTo(this.buffer, this.length)
    this.length += source.length
  }

  /** The bytes written so far: a view, valid until the next write. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length)
  }

  /** The bytes written so far, in a buffer of their own exact size. */
  copy(): Uint8Array {
    return this.buffer.slice(0, this.length)
  }

  reset(): void {
    this.length = 0
  }

  private reserve(extra: number): void {
    const needed = this.length + extra
    if (needed <= this.buffer.length) return
    const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2))
    grown.set(this.buffer.subarray(0, this.length))
    this.buffer = grown
  }
}

/**
 * Reads varints from `bytes[pos, end)`. {@link next} returns -1, and leaves `pos` past `end`, when
 * the input ends mid-varint or a varint is longer than {@link MAX_VARINT} allows, so hostile input
 * ends every loop instead of throwing.
 */
export class VarintReader {
  constructor(
    public bytes: Uint8Array,
    public pos = 0,
    public end = bytes.length,
  ) {}

  /** True while bytes are left before `end`. */
  more(): boolean {
    return this.pos < this.end
  }

  next(): number {
    const { bytes, end } = this
    let pos = this.pos
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) break
      const byte = bytes[pos++] ?? 0
      if (shift === 28 && byte > 7) break
      value |= (byte & 0x7f) << shift
      if (byte < 0x80) {
        this.pos = pos
        return value
      }
    }
    this.pos = end + 1
    return -1
  }
}

/** Bytes {@link ByteWriter.varint} takes for `value`. */
export function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5
}

/** Counts the varints that end in `bytes[start, end)`: the bytes without the continuation bit. */
export function countEnds(bytes: Uint8Array, start: number, end: number): number {
  let count = 0
  for (let pos = start; pos < end; pos++) count += ((bytes[pos] ?? 0) >>> 7) ^ 1
  return count
}
