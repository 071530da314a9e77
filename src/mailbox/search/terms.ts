import { MailboxError } from '../errors.js'

/**
 * The term dictionary: each distinct token gets a small integer id, the key of its postings and
 * what token sequences store. Prefix lookup is a binary search in an array of ids sorted by text
 * (UTF-16 code-unit order, in which the terms sharing a prefix are contiguous), then a walk over
 * the matches: O(log n + matches).
 *
 * New terms wait unsorted in `pending`, scanned linearly, until there are enough of them to be
 * worth a merge (one sort of the new ones, one linear merge). Sorting the whole dictionary again
 * after every message would cost far more than the few new terms it brings.
 */
export class TermDictionary {
  private readonly texts: string[]
  private readonly ids: Map<string, number>
  private sorted: Uint32Array
  private pending: number[] = []

  private constructor(texts: string[], sorted: Uint32Array) {
    this.texts = texts
    this.sorted = sorted
    this.ids = new Map()
    for (let id = 0; id < texts.length; id++) this.ids.set(texts[id] ?? '', id)
  }

  static empty(): TermDictionary {
    return new TermDictionary([], new Uint32Array(0))
  }

  /**
   * A dictionary from snapshot data: `sorted` must list every id once, in strictly increasing text
   * order (which also proves the texts distinct); throws CORRUPT otherwise.
   */
  static restore(texts: string[], sorted: Uint32Array): TermDictionary {
    const corrupt = (why: string) => MailboxError.CORRUPT(`search snapshot: ${why}`)
    if (sorted.length !== texts.length) throw corrupt('the term order has the wrong length')
    const seen = new Uint8Array(texts.length)
    let previous: string | undefined
    for (const id of sorted) {
      if (id >= texts.length || seen[id] === 1) throw corrupt('the term order is not a permutation')
      seen[id] = 1
      const text = texts[id] ?? ''
      if (previous !== undefined && !(previous < text)) throw corrupt('the terms are not sorted')
      previous = text
    }
    return new TermDictionary(texts, sorted)
  }

  get size(): number {
    return this.texts.length
  }

  text(id: number): string {
    return this.texts[id] ?? ''
  }

  /** The id of `text`, or -1. */
  lookup(text: string): number {
    return this.ids.get(text) ?? -1
  }

  /** The id of `text`, added as the next id when new. */
  intern(text: string): number {
    const known = this.ids.get(text)
    if (known !== undefined) return known
    const id = this.texts.length
    this.texts.push(text)
    this.ids.set(text, id)
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
      if ((texts[sorted[mid] ?? 0] ?? '') < prefix) low = mid + 1
      else high = mid
    }
    for (let i = low; i < sorted.length; i++) {
      const id = sorted[i] ?? 0
      if (!(texts[id] ?? '').startsWith(prefix)) break
      visit(id)
    }
    for (const id of this.pending) if ((texts[id] ?? '').startsWith(prefix)) visit(id)
  }

  /** Every id in text order (for snapshots). */
  sortedIds(): Uint32Array {
    this.merge()
    return this.sorted
  }

  /** Every term text, by id (for snapshots). */
  allTexts(): readonly string[] {
    return this.texts
  }

  /**
   * The dictionary after compaction: term `id` becomes `map[id]`, or goes when that is -1 (`count`
   * ids remain). The text order carries over from the old one, without a string comparison.
   */
  remap(map: Int32Array, count: number): TermDictionary {
    const texts = new Array<string>(count)
    for (let id = 0; id < map.length; id++) {
      const to = map[id] ?? -1
      if (to >= 0) texts[to] = this.texts[id] ?? ''
    }
    const sorted = new Uint32Array(count)
    let n = 0
    for (const id of this.sortedIds()) {
      const to = map[id] ?? -1
      if (to >= 0) sorted[n++] = to
    }
    return new TermDictionary(texts, sorted)
  }

  private merge(): void {
    if (this.pending.length === 0) return
    const { texts, sorted } = this
    const text = (id: number) => texts[id] ?? ''
    const fresh = this.pending.sort((a, b) => (text(a) < text(b) ? -1 : 1))
    const merged = new Uint32Array(sorted.length + fresh.length)
    let i = 0
    let j = 0
    let n = 0
    while (i < sorted.length && j < fresh.length) {
      const a = sorted[i] ?? 0
      const b = fresh[j] ?? 0
      if (text(a) < text(b)) {
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
