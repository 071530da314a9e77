import { MailboxError } from '../errors.js'
import { ensureLength } from './arrays.js'
import { isPostingValue, PLAIN_VALUE } from './fields.js'
import { SliceArena } from './slice-arena.js'
import { ByteWriter } from './varint.js'

/*
 * Postings: for every term, the documents that hold it, ascending, each with a value (field bits
 * and body count, fields.ts). A posting is one varint, `2 × (doc − previous doc) + plain`, and,
 * unless `plain` says the value is the common PLAIN_VALUE, a second varint with the value: two or
 * three bytes for most postings, against eight for a doc number and a value in typed arrays.
 *
 * A term's bytes are a frozen part, one range of one shared buffer (what a snapshot or a
 * compaction wrote), then a stream in a slice arena for what was appended since (slice-arena.ts).
 * The two join up: the first appended delta counts from the last frozen document.
 */

/** One term's postings, decoded; reused from read to read so that searches allocate little. */
export class PostingList {
  docs: Uint32Array = new Uint32Array(64)
  values: Uint32Array = new Uint32Array(64)

  ensure(size: number): void {
    this.docs = ensureLength(this.docs, size)
    this.values = ensureLength(this.values, size)
  }
}

/** The postings of every term, by term id. */
export class PostingStore {
  /** Number of terms. */
  count = 0
  /** Postings per term, removed documents included until a compaction. */
  df: Uint32Array = new Uint32Array(0)
  /**
   * Live documents per term: BM25's document frequency and the prefix cap's ranking. Kept exact on
   * removal ({@link drop}), so scores do not shift when a compaction or snapshot clears tombstones.
   */
  live: Uint32Array = new Uint32Array(0)
  /** Union of the field bits of a term's postings. */
  fields: Uint8Array = new Uint8Array(0)
  private lastDoc: Int32Array = new Int32Array(0)
  private frozen: Uint8Array = new Uint8Array(0)
  private frozenStart: Uint32Array = new Uint32Array(0)
  private frozenEnd: Uint32Array = new Uint32Array(0)
  private readonly appended = new SliceArena()

  /** Makes room for term `count` (the next id) and returns it. */
  addTerm(): number {
    const term = this.count++
    this.resize(this.count)
    return term
  }

  /** Appends a posting; `doc` must exceed every doc already in the term's list. */
  append(term: number, doc: number, value: number): void {
    const plain = value === PLAIN_VALUE
    this.appended.varint(term, (doc - (this.lastDoc[term] ?? -1)) * 2 + (plain ? 1 : 0))
    if (!plain) this.appended.varint(term, value)
    this.lastDoc[term] = doc
    this.df[term] = (this.df[term] ?? 0) + 1
    this.live[term] = (this.live[term] ?? 0) + 1
    this.fields[term] = (this.fields[term] ?? 0) | (value & 0xff)
  }

  /** Counts one live document fewer for each of `terms` (distinct), whose document was removed. */
  drop(terms: Iterable<number>): void {
    for (const term of terms) this.live[term] = Math.max((this.live[term] ?? 0) - 1, 0)
  }

  /** Decodes the postings of `term` into `out`; returns how many there are. */
  read(term: number, out: PostingList): number {
    out.ensure(this.df[term] ?? 0)
    const { docs, values } = out
    const bytes = this.frozen
    let pos = this.frozenStart[term] ?? 0
    const end = this.frozenEnd[term] ?? 0
    let doc = -1
    let n = 0
    while (pos < end) {
      let byte = bytes[pos++] ?? 0
      let delta = byte & 0x7f
      for (let shift = 7; byte >= 0x80; shift += 7) {
        byte = bytes[pos++] ?? 0
        delta |= (byte & 0x7f) << shift
      }
      let value = PLAIN_VALUE
      if ((delta & 1) === 0) {
        byte = bytes[pos++] ?? 0
        value = byte & 0x7f
        for (let shift = 7; byte >= 0x80; shift += 7) {
          byte = bytes[pos++] ?? 0
          value |= (byte & 0x7f) << shift
        }
      }
      doc += delta >>> 1
      docs[n] = doc
      values[n++] = value
    }
    const chain = this.appended.reader(term)
    while (chain?.more()) {
      const delta = chain.varint()
      doc += delta >>> 1
      docs[n] = doc
      values[n++] = (delta & 1) === 0 ? chain.varint() : PLAIN_VALUE
    }
    return n
  }

  /** Encoded size of a term's postings: what {@link copyBytes} writes. */
  byteLength(term: number): number {
    let length = (this.frozenEnd[term] ?? 0) - (this.frozenStart[term] ?? 0)
    this.appended.forEachRun(term, (run) => (length += run.length))
    return length
  }

  /** Writes a term's postings, frozen part and chain as one run, at `at`; returns the end. */
  copyBytes(term: number, target: Uint8Array, at: number): number {
    const frozen = this.frozen.subarray(this.frozenStart[term] ?? 0, this.frozenEnd[term] ?? 0)
    target.set(frozen, at)
    let offset = at + frozen.length
    this.appended.forEachRun(term, (run) => {
      target.set(run, offset)
      offset += run.length
    })
    return offset
  }

  /**
   * A store whose postings are `bytes`, term after term, `lengths[t]` bytes for term t (as
   * {@link copyBytes} wrote them). Decodes everything to check it: every doc number ascending and
   * below `docCount`, every value valid, every byte used. Throws CORRUPT otherwise.
   */
  static restore(bytes: Uint8Array, lengths: Uint32Array, docCount: number): PostingStore {
    const corrupt = (why: string) => MailboxError.CORRUPT(`search snapshot: ${why}`)
    const store = new PostingStore()
    store.count = lengths.length
    store.resize(lengths.length)
    store.frozen = bytes
    let pos = 0
    for (let term = 0; term < lengths.length; term++) {
      const end = pos + (lengths[term] ?? 0)
      if (end > bytes.length) throw corrupt('postings run past their section')
      let doc = -1
      let df = 0
      let fields = 0
      let minDelta = 2
      let badValue = false
      // Inlined varints, and checks folded into one test per term: this loop reads every posting
      // of the mailbox on each open.
      for (let at = pos; at < end; df++) {
        let byte = bytes[at++] ?? 0
        let delta = byte & 0x7f
        for (let shift = 7; byte >= 0x80; shift += 7) {
          if (at >= end || shift > 28) throw corrupt('a posting is cut off')
          byte = bytes[at++] ?? 0
          delta |= (byte & 0x7f) << shift
        }
        doc += delta >>> 1
        minDelta = Math.min(minDelta, delta)
        let value = PLAIN_VALUE
        if ((delta & 1) === 0) {
          if (at >= end) throw corrupt('a posting is cut off')
          byte = bytes[at++] ?? 0
          value = byte & 0x7f
          for (let shift = 7; byte >= 0x80; shift += 7) {
            if (at >= end || shift > 28) throw corrupt('a posting is cut off')
            byte = bytes[at++] ?? 0
            value |= (byte & 0x7f) << shift
          }
          badValue ||= !isPostingValue(value)
        }
        fields |= value
      }
      // Deltas of at least one keep the numbers ascending, so the last is the largest.
      if (minDelta < 2 || doc >= docCount) throw corrupt('a posting names a bad document')
      if (badValue) throw corrupt('a posting has a bad value')
      store.frozenStart[term] = pos
      store.frozenEnd[term] = end
      store.lastDoc[term] = doc
      store.df[term] = df
      store.live[term] = df
      store.fields[term] = fields & 0xff
      pos = end
    }
    if (pos !== bytes.length) throw corrupt('the postings section has bytes left over')
    return store
  }

  /**
   * The store without the documents `docMap` drops (-1), the rest renumbered, and without the
   * terms left with no posting. Returns it and the map from old term ids to new ones (-1: gone);
   * new ids keep the old order.
   */
  compact(docMap: Int32Array): { store: PostingStore; termMap: Int32Array } {
    const store = new PostingStore()
    const termMap = new Int32Array(this.count).fill(-1)
    const list = new PostingList()
    const out = new ByteWriter(1 << 16)
    for (let term = 0; term < this.count; term++) {
      const n = this.read(term, list)
      const start = out.length
      let previous = -1
      let fields = 0
      let df = 0
      for (let i = 0; i < n; i++) {
        const doc = docMap[list.docs[i] ?? 0] ?? -1
        if (doc < 0) continue
        const value = list.values[i] ?? 0
        const plain = value === PLAIN_VALUE
        out.varint((doc - previous) * 2 + (plain ? 1 : 0))
        if (!plain) out.varint(value)
        previous = doc
        fields |= value & 0xff
        df++
      }
      if (df === 0) continue
      const to = store.addTerm()
      termMap[term] = to
      store.frozenStart[to] = start
      store.frozenEnd[to] = out.length
      store.lastDoc[to] = previous
      store.df[to] = df
      store.live[to] = df
      store.fields[to] = fields
    }
    store.frozen = out.copy()
    return { store, termMap }
  }

  private resize(count: number): void {
    const old = this.lastDoc.length
    this.df = ensureLength(this.df, count)
    this.live = ensureLength(this.live, count)
    this.fields = ensureLength(this.fields, count)
    this.lastDoc = ensureLength(this.lastDoc, count)
    if (this.lastDoc.length > old) this.lastDoc.fill(-1, old)
    this.frozenStart = ensureLength(this.frozenStart, count)
    this.frozenEnd = ensureLength(this.frozenEnd, count)
    this.appended.resize(this.lastDoc.length)
  }
}
