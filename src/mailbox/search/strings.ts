import { ByteColumn } from './byte-column.js'
import type { ByteRegion } from './varint.js'

const EMPTY_SLOT = -1
const FORGOTTEN = -2

/** A string table as snapshots hold it: each string's length in UTF-16 code units, then the units. */
export interface StringColumn<R> {
  lengths: Uint32Array
  /** Every string's code units, UTF-16LE, back to back. */
  units: R
}

/**
 * Strings by number (message ids, terms), kept off the JS heap: their UTF-16 code units in a
 * {@link ByteColumn}, and an open-addressing hash index from text to number in an Int32Array.
 * A string plus a Map entry costs about a hundred bytes of heap, and V8 lets the heap grow to a
 * multiple of its live size before it collects: on the 100,000-message benchmark, 21 MB more of
 * live heap raised the peak RSS of the searches by over 100 MB.
 *
 * Code units, not UTF-8, so that every JS string (lone surrogates included) comes back exactly.
 */
export class StringTable {
  private slots: Int32Array
  /** Slots not empty, forgotten ones included (they still lengthen probes). */
  private occupied = 0

  private constructor(private readonly units: ByteColumn) {
    this.slots = new Int32Array(capacityFor(units.count)).fill(EMPTY_SLOT)
  }

  static empty(): StringTable {
    return new StringTable(new ByteColumn())
  }

  /**
   * The table of a snapshot's string column, reading the units in place (the caller has checked
   * that the lengths add up to them). Null when a string is there twice.
   */
  static over(column: StringColumn<Uint8Array>): StringTable | null {
    const table = new StringTable(ByteColumn.over(column.units, column.lengths, 2))
    for (let n = 0; n < table.count; n++) if (!table.index(n)) return null
    return table
  }

  /** Strings held, forgotten ones included. */
  get count(): number {
    return this.units.count
  }

  /** The number of `text`, or -1 (also for a forgotten string). */
  lookup(text: string): number {
    const mask = this.slots.length - 1
    for (let slot = hashText(text) & mask; ; slot = (slot + 1) & mask) {
      const n = this.slots[slot] ?? EMPTY_SLOT
      if (n === EMPTY_SLOT) return -1
      if (n >= 0 && this.compare(n, text) === 0) return n
    }
  }

  /** Adds `text`, which must not be found by {@link lookup}, as number {@link count}; returns it. */
  add(text: string): number {
    const bytes = new Uint8Array(text.length * 2)
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i)
      bytes[2 * i] = unit & 0xff
      bytes[2 * i + 1] = unit >>> 8
    }
    const n = this.units.push(bytes)
    this.index(n)
    return n
  }

  /** Takes string `n` out of the index: {@link lookup} no longer finds it, {@link text} still does. */
  forget(n: number): void {
    const mask = this.slots.length - 1
    for (let slot = this.hashAt(n) & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot] ?? EMPTY_SLOT
      if (at === EMPTY_SLOT) return
      if (at === n) {
        this.slots[slot] = FORGOTTEN
        return
      }
    }
  }

  /** String `n`. */
  text(n: number): string {
    const bytes = this.units.get(n)
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf16le')
  }

  /** String `n` against `text` in code-unit order (as `<` orders JS strings): −, 0 or +. */
  compare(n: number, text: string): number {
    const bytes = this.units.chunk(n)
    const start = this.units.start(n)
    const length = (this.units.end(n) - start) >>> 1
    const common = Math.min(length, text.length)
    for (let i = 0; i < common; i++) {
      const at = start + 2 * i
      const diff = ((bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8)) - text.charCodeAt(i)
      if (diff !== 0) return diff
    }
    return length - text.length
  }

  /** Strings `a` and `b` in code-unit order: −, 0 or +. */
  compareEntries(a: number, b: number): number {
    const { units } = this
    const x = units.chunk(a)
    const y = units.chunk(b)
    const xStart = units.start(a)
    const yStart = units.start(b)
    const xLength = units.end(a) - xStart
    const yLength = units.end(b) - yStart
    const common = Math.min(xLength, yLength)
    // Units are little-endian, so the high byte decides first.
    for (let i = 0; i < common; i += 2) {
      const diff =
        ((x[xStart + i + 1] ?? 0) << 8) +
        (x[xStart + i] ?? 0) -
        ((y[yStart + i + 1] ?? 0) << 8) -
        (y[yStart + i] ?? 0)
      if (diff !== 0) return diff
    }
    return xLength - yLength
  }

  /** True when string `n` starts with `prefix`. */
  startsWith(n: number, prefix: string): boolean {
    const bytes = this.units.chunk(n)
    const start = this.units.start(n)
    if (this.units.end(n) - start < prefix.length * 2) return false
    for (let i = 0; i < prefix.length; i++) {
      const at = start + 2 * i
      if (((bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8)) !== prefix.charCodeAt(i)) return false
    }
    return true
  }

  /**
   * The table with string n renumbered `map[n]`, or left out when that is -1 (`count` remain).
   * The new numbers must keep the old order, as compactions do.
   */
  remap(map: Int32Array, count: number): StringTable {
    const units = new ByteColumn()
    for (let n = 0; n < map.length && units.count < count; n++) {
      if ((map[n] ?? -1) >= 0) units.push(this.units.get(n))
    }
    const table = new StringTable(units)
    for (let n = 0; n < units.count; n++) table.index(n)
    return table
  }

  /** The table as a snapshot's string column (forgotten strings included). */
  column(): StringColumn<ByteRegion> {
    const { units } = this
    const lengths = new Uint32Array(units.count)
    let bytes = 0
    for (let n = 0; n < units.count; n++) {
      const length = units.end(n) - units.start(n)
      lengths[n] = length >>> 1
      bytes += length
    }
    return {
      lengths,
      units: {
        length: bytes,
        copyTo: (target, at) => {
          let offset = at
          for (let n = 0; n < units.count; n++) {
            target.set(units.get(n), offset)
            offset += units.end(n) - units.start(n)
          }
        },
      },
    }
  }

  /** Puts string `n` in the index; false (and not indexed) when an equal string already is. */
  private index(n: number): boolean {
    if (2 * (this.occupied + 1) > this.slots.length) this.rehash()
    const mask = this.slots.length - 1
    for (let slot = this.hashAt(n) & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot] ?? EMPTY_SLOT
      if (at === EMPTY_SLOT) {
        this.slots[slot] = n
        this.occupied++
        return true
      }
      if (at >= 0 && this.compareEntries(at, n) === 0) return false
    }
  }

  /**
   * The index again without the forgotten slots, with room for half as many strings again as are
   * live: forgetting and adding in turn (replaced messages) then rehashes only now and then.
   */
  private rehash(): void {
    const live = this.slots.filter((n) => n >= 0)
    const room = live.length + 1 + (live.length >>> 1)
    this.slots = new Int32Array(capacityFor(room)).fill(EMPTY_SLOT)
    this.occupied = live.length
    const mask = this.slots.length - 1
    for (const n of live) {
      let slot = this.hashAt(n) & mask
      while (this.slots[slot] !== EMPTY_SLOT) slot = (slot + 1) & mask
      this.slots[slot] = n
    }
  }

  /** {@link hashText} of string `n`, from its stored units. */
  private hashAt(n: number): number {
    const bytes = this.units.chunk(n)
    let hash = FNV_OFFSET
    for (let at = this.units.start(n), end = this.units.end(n); at < end; at += 2) {
      hash = Math.imul(hash ^ ((bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8)), FNV_PRIME)
    }
    return hash >>> 0
  }
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** FNV-1a over the UTF-16 code units of `text`. */
function hashText(text: string): number {
  let hash = FNV_OFFSET
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME)
  return hash >>> 0
}

/** Slots for `count` strings: a power of two, at most half full. */
function capacityFor(count: number): number {
  let capacity = 16
  while (capacity < 2 * count) capacity *= 2
  return capacity
}
