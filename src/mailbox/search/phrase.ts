import { ensureLength } from './arrays.js'
import { FIELD_COUNT } from './fields.js'
import { ByteWriter, VarintReader } from './varint.js'

/*
 * Phrase checks against a document's token sequence (sequences.ts), by comparing bytes rather than
 * decoding ids. Varints are prefix-free, so a run of bytes equal to the phrase's varints, starting
 * where a varint starts (at the start of a value, or after a byte without the continuation bit),
 * is the same run of ids. The search runs on the rarest token's first byte with the engine's
 * native `indexOf`: a phrase of two common words has most of the mailbox as candidates, and
 * decoding every token of each would cost several times more.
 */

/**
 * A phrase as bytes: `head`, the varints of its exact tokens back to back; then, when `last` is
 * set, one more token that must be one of those ids (a prefix's expansion). `anchor` is where in
 * `head` the rarest token's varint starts.
 */
export interface PhrasePattern {
  readonly head: Uint8Array
  readonly anchor: number
  readonly last: ReadonlySet<number> | null
}

/**
 * The pattern for a phrase whose position i may be any of `positions[i]` (one term each, but for a
 * prefix last position), anchored on the exact position with the fewest documents (`frequency`).
 */
export function phrasePattern(
  positions: readonly (readonly number[])[],
  frequency: (term: number) => number,
): PhrasePattern {
  const head = new ByteWriter(16)
  let anchor = 0
  let rarest = Infinity
  const lastTerms = positions.at(-1) ?? []
  const exact = lastTerms.length === 1 ? positions : positions.slice(0, -1)
  for (const [term = 0] of exact) {
    if (frequency(term) < rarest) {
      rarest = frequency(term)
      anchor = head.length
    }
    head.varint(term)
  }
  return { head: head.copy(), anchor, last: lastTerms.length === 1 ? null : new Set(lastTerms) }
}

// Scratch for findPhrase, reused across calls (it is not re-entrant): the reader of the blob's
// headers, and the [start, end) pairs of the values it searches.
const reader = new VarintReader(new Uint8Array(0))
let ranges: Int32Array = new Int32Array(64)

/**
 * True when `pattern` occurs in a value of a group in `fields` of the sequence blob
 * `bytes[start, end)`.
 */
export function findPhrase(
  bytes: Uint8Array,
  start: number,
  end: number,
  fields: number,
  pattern: PhrasePattern,
): boolean {
  const { head, anchor, last } = pattern
  const length = head.length + (last === null ? 0 : 1)
  // The wanted values, skipping the rest by their byte lengths.
  reader.bytes = bytes
  reader.pos = start
  reader.end = end
  let n = 0
  for (let group = 0; group < FIELD_COUNT && fields >>> group !== 0; group++) {
    const values = reader.next()
    for (let v = 0; v < values && reader.more(); v++) {
      const size = reader.next()
      if (size < 0) return false
      if (((fields >>> group) & 1) !== 0 && size >= length) {
        if (2 * n + 2 > ranges.length) ranges = ensureLength(ranges, 2 * n + 2)
        ranges[2 * n] = reader.pos
        ranges[2 * n + 1] = reader.pos + size
        n++
      }
      reader.pos += size
    }
  }
  if (n === 0) return false
  const from = ranges[0] ?? 0
  const view = bytes.subarray(from, ranges[2 * n - 1] ?? 0)
  const key = head[anchor] ?? 0
  let r = 0
  for (let i = view.indexOf(key, anchor); i >= 0; i = view.indexOf(key, i + 1)) {
    const at = from + i - anchor
    while (r < n && at >= (ranges[2 * r + 1] ?? 0)) r++
    if (r === n) return false
    const valueStart = ranges[2 * r] ?? 0
    const valueEnd = ranges[2 * r + 1] ?? 0
    if (at < valueStart || at + length > valueEnd) continue
    if (at > valueStart && (bytes[at - 1] ?? 0) >= 0x80) continue
    if (matchesAt(bytes, at, valueEnd, head, last)) return true
  }
  return false
}

function matchesAt(
  bytes: Uint8Array,
  at: number,
  end: number,
  head: Uint8Array,
  last: ReadonlySet<number> | null,
): boolean {
  for (let j = 0; j < head.length; j++) if (bytes[at + j] !== head[j]) return false
  if (last === null) return true
  let pos = at + head.length
  let byte = bytes[pos++] ?? 0
  let id = byte & 0x7f
  for (let shift = 7; byte >= 0x80 && pos < end; shift += 7) {
    byte = bytes[pos++] ?? 0
    id |= (byte & 0x7f) << shift
  }
  return byte < 0x80 && last.has(id)
}
