import { MailboxError } from '../errors.js'
import { ByteColumn } from './byte-column.js'
import { ANY, FIELD_COUNT } from './fields.js'
import { findPhrase, type PhrasePattern } from './phrase.js'
import { ByteWriter, countEnds, VarintReader, varintSize } from './varint.js'

/*
 * Token sequences, what phrase queries are checked against. Postings say which documents hold
 * every word of a phrase; each of those is then confirmed by looking for the words in a row in the
 * document's own sequence of term ids (phrase.ts). Positions in every posting would confirm
 * phrases without reading the candidates, but cost about as much memory again, for every term, to
 * speed up the rarest kind of query.
 *
 * One document's sequence is a blob of varints: for each field group in bit order (fields.ts), the
 * number of values, then per value its byte length and its term ids. The byte length lets a
 * search skip the groups it does not look at. A phrase never spans two values (subject and body,
 * two attachment names, two recipients).
 */

/** Appends the sequence blob of a document's `groups`, mapping its local term indices by `ids`. */
export function encodeSequence(
  groups: readonly (readonly (readonly number[])[])[],
  ids: Uint32Array,
  out: ByteWriter,
): void {
  for (const values of groups) {
    out.varint(values.length)
    for (const value of values) {
      let length = 0
      for (const index of value) length += varintSize(ids[index] ?? 0)
      out.varint(length)
      for (const index of value) out.varint(ids[index] ?? 0)
    }
  }
}

/** The token sequences of every document, by document number. */
export class SequenceStore {
  private constructor(private readonly blobs: ByteColumn) {}

  static empty(): SequenceStore {
    return new SequenceStore(new ByteColumn())
  }

  /** Stores the blob of the next document: documents are numbered in the order they are added. */
  add(blob: Uint8Array): void {
    this.blobs.push(blob)
  }

  /** The blob of `doc` (a view). */
  blob(doc: number): Uint8Array {
    return this.blobs.get(doc)
  }

  /** True when `pattern` occurs, in a row, in a value of one of the groups in `fields`. */
  contains(doc: number, fields: number, pattern: PhrasePattern): boolean {
    const { blobs } = this
    return findPhrase(blobs.chunk(doc), blobs.start(doc), blobs.end(doc), fields, pattern)
  }

  /** The distinct term ids of `doc`. */
  terms(doc: number): Set<number> {
    const blob = this.blob(doc)
    const reader = new VarintReader(blob)
    const terms = new Set<number>()
    for (let group = 0; group < FIELD_COUNT && reader.more(); group++) {
      const values = reader.next()
      for (let v = 0; v < values && reader.more(); v++) {
        const length = reader.next()
        const end = reader.pos + length
        while (reader.pos < end) terms.add(reader.next())
      }
    }
    return terms
  }

  /**
   * A store holding `bytes` (kept, not copied), `lengths[d]` bytes for document d. Checks the
   * structure of every blob ({@link checkBlob}); throws CORRUPT otherwise. Returns the store and
   * each document's length in `any` tokens (for BM25).
   */
  static restore(
    bytes: Uint8Array,
    lengths: Uint32Array,
  ): { store: SequenceStore; anyLengths: Uint32Array } {
    const count = lengths.length
    const anyLengths = new Uint32Array(count)
    let pos = 0
    for (let doc = 0; doc < count; doc++) {
      const end = pos + (lengths[doc] ?? 0)
      const tokens = end <= bytes.length ? checkBlob(bytes, pos, end) : -1
      if (tokens < 0) throw MailboxError.CORRUPT('search snapshot: a token sequence is malformed')
      anyLengths[doc] = tokens
      pos = end
    }
    if (pos !== bytes.length) throw MailboxError.CORRUPT('search snapshot: sequences left over')
    return { store: new SequenceStore(ByteColumn.over(bytes, lengths)), anyLengths }
  }

  /**
   * The store with document d renumbered `docMap[d]` (dropped when -1) and term t renamed
   * `termMap[t]`.
   */
  compact(docMap: Int32Array, termMap: Int32Array): SequenceStore {
    const store = SequenceStore.empty()
    const out = new ByteWriter(1 << 12)
    for (let doc = 0; doc < docMap.length; doc++) {
      if ((docMap[doc] ?? -1) < 0) continue
      out.reset()
      transcode(this.blob(doc), termMap, out)
      store.add(out.view())
    }
    return store
  }
}

/** Writes `blob` again with every term id t replaced by `termMap[t]` (the byte lengths change). */
function transcode(blob: Uint8Array, termMap: Int32Array, out: ByteWriter): void {
  const reader = new VarintReader(blob)
  for (let group = 0; group < FIELD_COUNT && reader.more(); group++) {
    const values = reader.next()
    out.varint(values)
    for (let v = 0; v < values && reader.more(); v++) {
      const length = reader.next()
      const start = reader.pos
      reader.end = start + length
      let size = 0
      while (reader.more()) size += varintSize(termMap[reader.next()] ?? 0)
      out.varint(size)
      reader.pos = start
      while (reader.more()) out.varint(termMap[reader.next()] ?? 0)
      reader.end = blob.length
    }
  }
}

const reader = new VarintReader(new Uint8Array(0))

/**
 * Checks the structure of the blob `bytes[start, end)` (every group and value in place, each
 * value ending where a varint ends) and returns its number of `any` tokens, or -1 when malformed.
 *
 * Token ids themselves are not range-checked: this runs over every stored token on each open, and
 * an id is only ever compared with query ids, never used as an index, so a wrong one can only
 * fail to match. The snapshot's CRC catches accidental damage to them.
 */
function checkBlob(bytes: Uint8Array, start: number, end: number): number {
  let tokens = 0
  reader.bytes = bytes
  reader.pos = start
  reader.end = end
  for (let group = 0; group < FIELD_COUNT; group++) {
    const values = reader.next()
    if (values < 0) return -1
    for (let v = 0; v < values; v++) {
      const size = reader.next()
      const valueEnd = reader.pos + size
      // A value must end where a varint does, or a token would run into the next header.
      if (size < 0 || valueEnd > end || (size > 0 && (bytes[valueEnd - 1] ?? 0) >= 0x80)) return -1
      if (((ANY >>> group) & 1) !== 0) tokens += countEnds(bytes, reader.pos, valueEnd)
      reader.pos = valueEnd
    }
  }
  return reader.pos === end ? tokens : -1
}
