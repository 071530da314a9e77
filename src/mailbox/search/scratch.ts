import { ensureLength } from './arrays.js'
import { PostingList } from './postings.js'

/**
 * The working arrays of a search, kept from one search to the next. A query over a large mailbox
 * needs a score per document, the list of its matches and decoded posting lists; allocated afresh
 * each time they are megabytes of garbage per query, which the process holds (as resident memory)
 * until a collection gets round to them. Searches are synchronous, so one set serves them all.
 */
export class Scratch {
  /** Decoded postings of the term being read. */
  readonly list = new PostingList()
  private scoreColumn = new Float64Array(0)
  private matchList = new Uint32Array(0)

  /** Scores for documents 0 to `count - 1`, all zero (the array may be longer). */
  scores(count: number): Float64Array {
    this.scoreColumn = ensureLength(this.scoreColumn, count)
    this.scoreColumn.fill(0, 0, count)
    return this.scoreColumn
  }

  /** Room for `count` document numbers, contents undefined (the array may be longer). */
  matches(count: number): Uint32Array {
    this.matchList = ensureLength(this.matchList, count)
    return this.matchList
  }
}
