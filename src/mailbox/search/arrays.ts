/*
 * Typed-array helpers: growth for the per-document and per-term columns, and bitsets over
 * document numbers (one bit per document: 12.5 KB for 100,000), which is how query evaluation
 * combines atoms.
 */

type Column = Uint8Array | Uint32Array | Int32Array | Float64Array

/** `array` if it holds `size` entries, else a copy at least twice as long (new entries zero). */
export function ensureLength<T extends Column>(array: T, size: number): T {
  if (size <= array.length) return array
  const Constructor = array.constructor as new (length: number) => T
  const grown = new Constructor(Math.max(size, array.length * 2, 16))
  grown.set(array)
  return grown
}

/** A bitset able to hold bits 0 to `size - 1`, all clear. */
export function bitset(size: number): Uint32Array {
  return new Uint32Array((size + 31) >>> 5)
}

/** Sets bit `index`. */
export function setBit(bits: Uint32Array, index: number): void {
  const word = index >>> 5
  bits[word] = (bits[word] ?? 0) | (1 << (index & 31))
}

/** Clears bit `index`. */
export function clearBit(bits: Uint32Array, index: number): void {
  const word = index >>> 5
  bits[word] = (bits[word] ?? 0) & ~(1 << (index & 31))
}

/** `target &= other`. */
export function andInto(target: Uint32Array, other: Uint32Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] ?? 0) & (other[i] ?? 0)
}

/** `target |= other`. */
export function orInto(target: Uint32Array, other: Uint32Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] ?? 0) | (other[i] ?? 0)
}

/** `bits = ~bits` (bits past the last document get set too; readers stop at the document count). */
export function invert(bits: Uint32Array): void {
  for (let i = 0; i < bits.length; i++) bits[i] = ~(bits[i] ?? 0)
}

/** Calls `visit` with every set bit below `limit`, in increasing order. */
export function forEachBit(bits: Uint32Array, limit: number, visit: (index: number) => void): void {
  for (let word = 0; word < bits.length; word++) {
    let value = bits[word] ?? 0
    while (value !== 0) {
      const lowest = value & -value
      const index = (word << 5) + 31 - Math.clz32(lowest)
      if (index >= limit) return
      visit(index)
      value ^= lowest
    }
  }
}
