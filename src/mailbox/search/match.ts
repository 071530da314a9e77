import { andInto, bitset, clearBit, forEachBit, invert, orInto, setBit } from './arrays.js'
import { REMOVED, type DocTable } from './doc-table.js'
import { FieldWeights, fieldMask } from './fields.js'
import type { DocFilter } from './filter.js'
import type { PostingStore } from './postings.js'
import type { PhraseAtom, SearchAtom, SearchClause, TermAtom } from './query.js'
import { bm25, idf } from './rank.js'
import { phrasePattern } from './phrase.js'
import type { Scratch } from './scratch.js'
import type { SequenceStore } from './sequences.js'
import type { TermDictionary } from './terms.js'

/**
 * Most terms a prefix stands for: of the terms that start with it and occur in the atom's fields,
 * the 200 held by the most messages (ties in text order). A one-letter prefix in a large mailbox
 * matches tens of thousands of terms; the frequent ones are what a person typing means, and the
 * cap bounds the work.
 */
export const PREFIX_EXPANSION_LIMIT = 200

/** The parts of the engine a query reads. */
export interface SearchIndex {
  readonly terms: TermDictionary
  readonly postings: PostingStore
  readonly sequences: SequenceStore
  readonly docs: DocTable
}

/** What the clauses of a query select. */
export interface Evaluation {
  /** Documents that satisfy every clause, a bitset; null when there are no clauses. */
  readonly matches: Uint32Array | null
  /**
   * BM25 score per document from the positive atoms (the scratch's array, valid until the next
   * search); null when there are none.
   */
  readonly scores: Float64Array | null
}

/**
 * Evaluates the clauses of a query: each atom becomes a bitset of documents (a negated one its
 * complement), an OR list their union, the query the intersection. The result may still hold
 * removed documents and documents `filter` drops (the caller applies it); phrases are not checked
 * for those, the costliest check there is.
 */
export function evaluate(
  index: SearchIndex,
  clauses: readonly SearchClause[],
  filter: DocFilter | null,
  scratch: Scratch,
): Evaluation {
  if (clauses.length === 0) return { matches: null, scores: null }
  const positive = clauses.some((clause) => clause.some((atom) => !atom.negated))
  const scores = positive ? scratch.scores(index.docs.count) : null
  const evaluator = new Evaluator(index, scores, filter, scratch)
  let matches: Uint32Array | null = null
  for (const clause of clauses) {
    let union: Uint32Array | null = null
    for (const atom of clause) {
      const docs = evaluator.atom(atom)
      if (atom.negated) invert(docs)
      if (union === null) union = docs
      else orInto(union, docs)
    }
    if (union === null) continue
    if (matches === null) matches = union
    else andInto(matches, union)
  }
  return { matches, scores }
}

class Evaluator {
  private readonly live: number
  private readonly averageLength: number

  constructor(
    private readonly index: SearchIndex,
    private readonly scores: Float64Array | null,
    private readonly filter: DocFilter | null,
    private readonly scratch: Scratch,
  ) {
    const { docs } = index
    this.live = Math.max(docs.live, 1)
    this.averageLength = Math.max(docs.totalLength / this.live, 1)
  }

  /** The documents matching `atom`, negation aside; scores them when it counts toward ranking. */
  atom(atom: SearchAtom): Uint32Array {
    const fields = fieldMask(atom.field)
    const score = !atom.negated && this.scores !== null
    return atom.kind === 'term' ? this.term(atom, fields, score) : this.phrase(atom, fields, score)
  }

  private term(atom: TermAtom, fields: number, score: boolean): Uint32Array {
    const docs = bitset(this.index.docs.count)
    const weights = score ? new FieldWeights(fields) : null
    for (const term of this.expand(atom.text, atom.prefix, fields)) {
      this.collect(term, fields, docs, weights, null)
    }
    return docs
  }

  private phrase(atom: PhraseAtom, fields: number, score: boolean): Uint32Array {
    const { tokens, prefix } = atom
    const k = tokens.length
    const count = this.index.docs.count
    if (k <= 1) {
      const text = tokens[0]
      if (text === undefined) return bitset(count)
      return this.term({ ...atom, kind: 'term', text }, fields, score)
    }
    // Candidates: documents holding every token (any expansion of a prefix last) in `fields`.
    const positions = tokens.map((text, i) => this.expand(text, prefix && i === k - 1, fields))
    let candidates: Uint32Array | null = null
    for (const terms of positions) {
      const docs = bitset(count)
      for (const term of terms) this.collect(term, fields, docs, null, null)
      if (candidates === null) candidates = docs
      else andInto(candidates, docs)
    }
    const matches = candidates ?? bitset(count)
    const { sequences, docs, postings } = this.index
    const pattern = phrasePattern(positions, (term) => postings.live[term] ?? 0)
    const filter = this.filter
    forEachBit(matches, count, (doc) => {
      const removed = ((docs.flags[doc] ?? 0) & REMOVED) !== 0
      // A document the filters drop is left out whatever its text: skip the costly check.
      const wanted = !removed && (filter === null || filter.test(doc))
      if (!wanted || !sequences.contains(doc, fields, pattern)) clearBit(matches, doc)
    })
    if (score) {
      const weights = new FieldWeights(fields)
      for (const terms of positions) {
        for (const term of terms) this.collect(term, fields, null, weights, matches)
      }
    }
    return matches
  }

  /**
   * Reads the postings of `term` that fall in `fields`: sets their documents in `docs`, and adds
   * their BM25 scores, for documents in `only` if given, when `weights` is given.
   */
  private collect(
    term: number,
    fields: number,
    docs: Uint32Array | null,
    weights: FieldWeights | null,
    only: Uint32Array | null,
  ): void {
    const { postings, docs: table } = this.index
    const { list } = this.scratch
    const n = postings.read(term, list)
    const { docs: numbers, values } = list
    const scores = weights === null ? null : this.scores
    const termIdf = idf(postings.live[term] ?? 0, this.live)
    for (let i = 0; i < n; i++) {
      const value = values[i] ?? 0
      if ((value & fields) === 0) continue
      const doc = numbers[i] ?? 0
      if (docs !== null) setBit(docs, doc)
      if (scores === null || weights === null) continue
      if (only !== null && ((only[doc >>> 5] ?? 0) & (1 << (doc & 31))) === 0) continue
      const ratio = (table.length[doc] ?? 0) / this.averageLength
      scores[doc] = (scores[doc] ?? 0) + bm25(termIdf, weights.of(value), ratio)
    }
  }

  /**
   * Term ids `text` stands for in `fields`: itself, or with `prefix` its capped expansion, in id
   * order (so scores add up in the same order in an engine and in its restored snapshot).
   */
  private expand(text: string, prefix: boolean, fields: number): number[] {
    const { terms, postings } = this.index
    const wanted = (term: number) =>
      ((postings.fields[term] ?? 0) & fields) !== 0 && (postings.live[term] ?? 0) > 0
    if (!prefix) {
      const term = terms.lookup(text)
      return term >= 0 && wanted(term) ? [term] : []
    }
    const found: number[] = []
    terms.forPrefix(text, (term) => {
      if (wanted(term)) found.push(term)
    })
    if (found.length > PREFIX_EXPANSION_LIMIT) {
      const live = postings.live
      found.sort((a, b) => (live[b] ?? 0) - (live[a] ?? 0) || terms.compare(a, b))
      found.length = PREFIX_EXPANSION_LIMIT
    }
    return found.sort((a, b) => a - b)
  }
}
