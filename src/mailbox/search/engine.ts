import { MailboxError } from '../errors.js'
import { forEachBit } from './arrays.js'
import { DocTable, NameTable } from './doc-table.js'
import { ANY, BODY, postingValue } from './fields.js'
import { DocFilter } from './filter.js'
import {
  checkIndexedDoc,
  checkMeta,
  fieldGroups,
  MAX_ID_LENGTH,
  type DocMeta,
  type IndexedDoc,
} from './indexed-doc.js'
import { evaluate } from './match.js'
import { PostingStore } from './postings.js'
import type { SearchQuery } from './query.js'
import { selectTop } from './rank.js'
import { Scratch } from './scratch.js'
import { encodeSequence, SequenceStore } from './sequences.js'
import { readSnapshot, writeSnapshot } from './snapshot.js'
import { TermDictionary } from './terms.js'
import { ByteWriter } from './varint.js'

export {
  MAX_FIELD_VALUES,
  MAX_TERM_LENGTH,
  prepareDoc,
  type DocMeta,
  type IndexedDoc,
  type SearchDoc,
} from './indexed-doc.js'
export { PREFIX_EXPANSION_LIMIT } from './match.js'
export { SNAPSHOT_VERSION } from './snapshot.js'

/**
 * One change to the index, as the mailbox logs it: `add` (re-adding an id replaces the message),
 * `meta` (new folder, labels, flags, date or size; the text stays), `remove`.
 */
export type SearchChange =
  | { op: 'add'; doc: IndexedDoc }
  | { op: 'meta'; id: string; meta: DocMeta }
  | { op: 'remove'; id: string }

/** Paging for {@link SearchEngine.search}. */
export interface SearchOptions {
  /** Ids to return, 0 to {@link MAX_SEARCH_LIMIT}; default {@link DEFAULT_SEARCH_LIMIT}. */
  limit?: number
  /** Matches to skip first; default 0. */
  offset?: number
}

/** One page of results, best first, and how many messages match in all. */
export interface SearchResult {
  ids: string[]
  total: number
}

export const DEFAULT_SEARCH_LIMIT = 50
export const MAX_SEARCH_LIMIT = 500
/**
 * Compaction runs when more than this share of document numbers belong to removed (or replaced)
 * documents: it rewrites everything, so it waits until there is a quarter to reclaim, which keeps
 * its cost per removal constant.
 */
export const COMPACT_RATIO = 0.25
/** Document numbers stay below 2^30 so a posting's `2 × delta + 1` fits a 31-bit varint. */
const MAX_DOCS = 2 ** 30

/**
 * A full-text index of the mailbox, in memory, with no I/O: the mailbox feeds it changes and
 * persists its {@link snapshot}. A message matches a {@link SearchQuery} when it satisfies every
 * clause (an OR of atoms; a negated atom is satisfied by messages that do not match it) and every
 * filter. Text queries rank by BM25, newest first on ties; filter-only queries newest first.
 *
 * Layout: terms are interned to integer ids (terms.ts); each term has varint-coded postings
 * (postings.ts); each message has a compact sequence of term ids per field value, read only to
 * confirm phrases (sequences.ts); filters and ranking read typed-array columns (doc-table.ts).
 * All of it is in typed arrays, term and message id texts included (strings.ts), so next to
 * nothing of the index is on the JS heap; a search reuses its working arrays (scratch.ts).
 */
export class SearchEngine {
  private docs = new DocTable()
  private terms = TermDictionary.empty()
  private postings = new PostingStore()
  private sequences = SequenceStore.empty()
  private readonly blob = new ByteWriter(1 << 12)
  private readonly scratch = new Scratch()

  /**
   * Applies one change. `meta` and `remove` of an unknown id do nothing, so a log can be replayed
   * over a snapshot that already holds part of it. A malformed change (one read back from a
   * damaged log) throws CORRUPT and changes nothing.
   */
  apply(change: SearchChange): void {
    const { op, id, doc, meta } = (isObject(change) ? change : {}) as Record<string, unknown>
    if (op === 'add') {
      this.add(checkIndexedDoc(doc))
    } else if (op === 'meta' || op === 'remove') {
      if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) {
        throw MailboxError.CORRUPT('search change: the id is not a valid message id')
      }
      const number = this.docs.docOf(id)
      if (op === 'meta') {
        const checked = checkMeta(meta, (why) => MailboxError.CORRUPT(`search change: ${why}`))
        if (number >= 0) this.docs.setMeta(number, checked)
      } else if (number >= 0) {
        this.remove(number)
      }
    } else {
      throw MailboxError.CORRUPT('search change: unknown operation')
    }
    if (this.docs.count - this.docs.live > this.docs.count * COMPACT_RATIO) this.compact()
  }

  /**
   * The ids of the messages matching `query`, best first, and their total. Throws
   * INVALID_ARGUMENT for a limit outside 0…{@link MAX_SEARCH_LIMIT} or a negative offset.
   */
  search(query: SearchQuery, options: SearchOptions = {}): SearchResult {
    const limit = options.limit ?? DEFAULT_SEARCH_LIMIT
    const offset = options.offset ?? 0
    if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_SEARCH_LIMIT) {
      throw MailboxError.INVALID_ARGUMENT(`limit must be an integer from 0 to ${MAX_SEARCH_LIMIT}`)
    }
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw MailboxError.INVALID_ARGUMENT('offset must be a non-negative integer')
    }
    const { docs } = this
    const filter = DocFilter.compile(docs, query.filters)
    if (filter === null) return { ids: [], total: 0 }
    const { matches, scores } = evaluate(this.index(), query.clauses, filter, this.scratch)
    const found = this.scratch.matches(docs.count)
    let total = 0
    const keep = (doc: number) => {
      if (filter.test(doc)) found[total++] = doc
    }
    if (matches === null) for (let doc = 0; doc < docs.count; doc++) keep(doc)
    else forEachBit(matches, docs.count, keep)
    const top = selectTop(found, total, offset + limit, scores, docs.date)
    return { ids: top.slice(offset).map((doc) => docs.ids.text(doc)), total }
  }

  /** True when a message with this id is indexed. */
  has(id: string): boolean {
    return this.docs.docOf(id) >= 0
  }

  /** Messages indexed. */
  get size(): number {
    return this.docs.live
  }

  /**
   * Everything needed to restore the index, in a compact versioned binary form (snapshot.ts). It
   * never holds a removed message: when there are any, the index is compacted first, so no word of
   * a deleted message outlives the snapshot that follows the deletion.
   */
  snapshot(): Buffer {
    if (this.docs.live < this.docs.count) this.compact()
    const { docs, postings, sequences, terms } = this
    const sequenceLengths = Uint32Array.from(
      { length: docs.count },
      (_, doc) => sequences.blob(doc).length,
    )
    const postingLengths = Uint32Array.from({ length: postings.count }, (_, term) =>
      postings.byteLength(term),
    )
    return writeSnapshot({
      ...docs.columns(),
      folderNames: docs.folders.names,
      labelNames: docs.labelNames.names,
      sequenceLengths,
      sequences: {
        length: sum(sequenceLengths),
        copyTo: (target, at) => {
          let offset = at
          for (let doc = 0; doc < docs.count; doc++) {
            const blob = sequences.blob(doc)
            target.set(blob, offset)
            offset += blob.length
          }
        },
      },
      terms: terms.column(),
      sortedTerms: terms.sortedIds(),
      postingLengths,
      postings: {
        length: sum(postingLengths),
        copyTo: (target, at) => {
          let offset = at
          for (let term = 0; term < postings.count; term++) {
            offset = postings.copyBytes(term, target, offset)
          }
        },
      },
    })
  }

  /**
   * An engine from a {@link snapshot}. Checks the checksum, the structure of every part, the term
   * order, every posting and the document columns, and throws CORRUPT on malformed input; work and
   * memory are bounded by the snapshot's size. (Term ids inside token sequences are only compared,
   * never used as indexes, so they are left to the checksum: see sequences.ts.)
   *
   * The engine keeps `snapshot`'s memory (its postings, sequences, ids and terms are read in place,
   * so the index is never held twice): the caller hands the buffer over and must not change it.
   */
  static restore(snapshot: Buffer): SearchEngine {
    const parts = readSnapshot(snapshot)
    const docCount = parts.ids.lengths.length
    if (docCount >= MAX_DOCS) throw MailboxError.CORRUPT('search snapshot: too large')
    const engine = new SearchEngine()
    engine.terms = TermDictionary.restore(parts.terms, parts.sortedTerms)
    const { store, anyLengths } = SequenceStore.restore(parts.sequences, parts.sequenceLengths)
    engine.sequences = store
    engine.postings = PostingStore.restore(parts.postings, parts.postingLengths, docCount)
    engine.docs = DocTable.restore(
      { ...parts, length: anyLengths },
      NameTable.restore(parts.folderNames),
      NameTable.restore(parts.labelNames),
    )
    return engine
  }

  private add(doc: IndexedDoc): void {
    const groups = fieldGroups(doc)
    const n = doc.terms.length
    const masks = new Uint8Array(n)
    const bodyTf = new Uint32Array(n)
    let length = 0
    groups.forEach((values, group) => {
      const bit = 1 << group
      for (const value of values) {
        for (const index of value) {
          masks[index] = (masks[index] ?? 0) | bit
          if (bit === BODY) bodyTf[index] = (bodyTf[index] ?? 0) + 1
        }
        if ((bit & ANY) !== 0) length += value.length
      }
    })
    if (this.docs.count + 1 >= MAX_DOCS) throw MailboxError.INVALID_ARGUMENT('search index full')
    const old = this.docs.docOf(doc.id)
    if (old >= 0) this.remove(old)
    const ids = new Uint32Array(n)
    for (let i = 0; i < n; i++) {
      if (masks[i] === 0) continue
      ids[i] = this.terms.intern(doc.terms[i] ?? '')
      while (this.postings.count < this.terms.size) this.postings.addTerm()
    }
    this.blob.reset()
    encodeSequence(groups, ids, this.blob)
    const number = this.docs.add(doc.id, doc.meta, length)
    this.sequences.add(this.blob.view())
    for (let i = 0; i < n; i++) {
      const mask = masks[i] ?? 0
      if (mask !== 0) this.postings.append(ids[i] ?? 0, number, postingValue(mask, bodyTf[i] ?? 0))
    }
  }

  /** Marks a document removed (a tombstone until the next compaction). */
  private remove(doc: number): void {
    this.postings.drop(this.sequences.terms(doc))
    this.docs.remove(doc)
  }

  /** Drops removed documents and the terms only they held, renumbering the rest. */
  private compact(): void {
    const docMap = this.docs.compact()
    const { store, termMap } = this.postings.compact(docMap)
    this.sequences = this.sequences.compact(docMap, termMap)
    this.terms = this.terms.remap(termMap, store.count)
    this.postings = store
  }

  private index() {
    const { terms, postings, sequences, docs } = this
    return { terms, postings, sequences, docs }
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

function sum(values: Uint32Array): number {
  let total = 0
  for (const value of values) total += value
  return total
}
