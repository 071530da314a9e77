import { MailboxError } from '../errors.js'
import { StringTable, type StringColumn } from './strings.js'
import type { ByteRegion } from './varint.js'

/**
 * The term dictionary: each distinct token gets a small integer id, the key of its postings and
 * what token sequences store. The texts live off the JS heap in a {@link StringTable}. Prefix
 * lookup is a binary search in an array of ids sorted by text (UTF-16 code-unit order, in which
 * the terms sharing a prefix are contiguous), then a walk over the matches: O(log n + matches).
 *
 * New terms wait unsorted in `pending`, scanned linearly, until there are enough of them to be
 * worth a merge (one sort of the new ones, one linear merge). Sorting the whole dictionary again
 * after every message would cost far more than the few new terms it brings.
 */
export class TermDictionary {
  private pending: number[] = []

  private constructor(
    private readonly texts: StringTable,
    private sorted: Uint32Array,
  ) {}

  static empty(): TermDictionary {
    return new TermDictionary(StringTable.empty(), new Uint32Array(0))
  }

  /**
   * A dictionary from snapshot data, read in place: `sorted` must list every id once, in strictly
   * increasing text order (which also proves the texts distinct); throws CORRUPT otherwise.
   */
  static restore(column: StringColumn<Uint8Array>, sorted: Uint32Array): TermDictionary {
    const corrupt = (why: string) => MailboxError.CORRUPT(`search snapshot: ${why}`)
    const count = column.lengths.length
    if (sorted.length !== count) throw corrupt('the term order has the wrong length')
    const seen = new Uint8Array(count)
    for (const id of sorted) {
      if (id >= count || seen[id] === 1) throw corrupt('the term order is not a permutation')
      seen[id] = 1
    }
    const texts = StringTable.over(column)
    if (texts === null) throw corrupt('the terms are not sorted')
    for (let i = 1; i < count; i++) {
      if (texts.compareEntries(sorted[i - 1] ?? 0, sorted[i] ?? 0) >= 0) {
        throw corrupt('the terms are not sorted')
      }
    }
    return new TermDictionary(texts, sorted)
  }

  get size(): number {
    return this.texts.count
  }

  /** Terms `a` and `b` in text order: −, 0 or +. */
  compare(a: number, b: number): number {
    return this.texts.compareEntries(a, b)
  }

  /** The id of `text`, or -1. */
  lookup(text: string): number {
    return this.texts.lookup(text)
  }

  /** The id of `text`, added as the next id when new. */
  intern(text: string): number {
    const known = this.texts.lookup(text)
    if (known >= 0) return known
    const id = this.texts.add(text)
    this.pending.push(id)
    return id
  }

  /** Calls `visit` with the id of every term that starts with `prefix` (itself included). */
  forPrefix(prefix: string, visit: (id: number) => void): void {
    // A merge costs O(n); waiting for n/32 new terms keeps the linear scan of the rest short.
    if (this.pending.length > Math.max(1024, this.sorted.length >>> 5)) this.merge()
    const { sorted, texts } = this
    let low = 0
    let high = sorted.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (texts.compare(sorted[mid] ?? 0, prefix) < 0) low = mid + 1
      else high = mid
    }
    for (let i = low; i < sorted.length; i++) {
      const id = sorted[i] ?? 0
      if (!texts.startsWith(id, prefix)) break
      visit(id)
    }
    for (const id of this.pending) if (texts.startsWith(id, prefix)) visit(id)
  }

  /** Every id in text order (for snapshots). */
  sortedIds(): Uint32Array {
    this.merge()
    return this.sorted
  }

  /** Every term text, by id, as a snapshot stores them. */
  column(): StringColumn<ByteRegion> {
    return this.texts.column()
  }

  /**
   * The dictionary after compaction: term `id` becomes `map[id]`, or goes when that is -1 (`count`
   * ids remain). The text order carries over from the old one, without a string comparison.
   */
  remap(map: Int32Array, count: number): TermDictionary {
    const sorted = new Uint32Array(count)
    let n = 0
    for (const id of this.sortedIds()) {
      const to = map[id] ?? -1
      if (to >= 0) sorted[n++] = to
    }
    return new TermDictionary(this.texts.remap(map, count), sorted)
  }

  private merge(): void {
    if (this.pending.length === 0) return
    const { texts, sorted } = this
    const fresh = this.pending.sort((a, b) => texts.compareEntries(a, b))
    const merged = new Uint32Array(sorted.length + fresh.length)
    let i = 0
    let j = 0
    let n = 0
    while (i < sorted.length && j < fresh.length) {
      const a = sorted[i] ?? 0
      const b = fresh[j] ?? 0
      if (texts.compareEntries(a, b) < 0) {
        merged[n++] = a
        i++
      } else {
        merged[n++] = b
        j++
      }
    }
    while (i < sorted.length) merged[n++] = sorted[i++] ?? 0
    while (j < fresh.length) merged[n++] = fresh[j++] ?? 0
    this.sorted = merged
    this.pending = []
  }
}
