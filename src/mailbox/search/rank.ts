/*
 * Ranking. Text queries: Okapi BM25 over the positive atoms, with the per-field weights of
 * fields.ts folded into the term frequency (BM25F style) and one document length, its count of
 * `any` tokens. A prefix scores as the sum of the terms it stands for that a message holds, a
 * phrase as the sum of its words. Negated atoms and filters only exclude. Ties, and every document
 * when nothing is scored, go newest first, then by the later-added document, so the order is total
 * and pages never overlap.
 */

/** Term-frequency saturation. */
export const K1 = 1.2
/** Length normalisation. */
export const B = 0.75

/**
 * Inverse document frequency, the BM25 form, ≥ 0. `df` counts removed documents until a
 * compaction, so it is capped at `live` to keep the logarithm's argument at least 1.
 */
export function idf(df: number, live: number): number {
  return Math.log((live + 1) / (Math.min(df, live) + 0.5))
}

/**
 * BM25 contribution of one term to one document: `weightedTf` from FieldWeights, `lengthRatio` the
 * document's length over the average.
 */
export function bm25(termIdf: number, weightedTf: number, lengthRatio: number): number {
  return (termIdf * weightedTf * (K1 + 1)) / (weightedTf + K1 * (1 - B + B * lengthRatio))
}

/**
 * The best `k` of `docs[0, count)`, best first: higher score (when `scores` is given), then newer
 * `dates`, then higher document number. A heap of k entries, O(count · log k): a common word can
 * match most of the mailbox, and only the first page is wanted.
 */
export function selectTop(
  docs: Uint32Array,
  count: number,
  k: number,
  scores: Float64Array | null,
  dates: Float64Array,
): number[] {
  const better = (a: number, b: number): boolean => {
    if (scores !== null) {
      const sa = scores[a] ?? 0
      const sb = scores[b] ?? 0
      if (sa !== sb) return sa > sb
    }
    const da = dates[a] ?? 0
    const db = dates[b] ?? 0
    return da !== db ? da > db : a > b
  }
  const heap: number[] = []
  const size = Math.min(k, count)
  for (let i = 0; i < count && size > 0; i++) {
    const doc = docs[i] ?? 0
    if (heap.length < size) {
      heap.push(doc)
      siftUp(heap, heap.length - 1, better)
    } else if (better(doc, heap[0] ?? 0)) {
      heap[0] = doc
      siftDown(heap, better)
    }
  }
  return heap.sort((a, b) => (better(a, b) ? -1 : 1))
}

type Better = (a: number, b: number) => boolean

/** The worst entry sits at the root: `better(parent, child)` never holds. */
function siftUp(heap: number[], start: number, better: Better): void {
  let i = start
  const doc = heap[i] ?? 0
  while (i > 0) {
    const parent = (i - 1) >>> 1
    const above = heap[parent] ?? 0
    if (!better(above, doc)) break
    heap[i] = above
    i = parent
  }
  heap[i] = doc
}

function siftDown(heap: number[], better: Better): void {
  const doc = heap[0] ?? 0
  const n = heap.length
  let i = 0
  for (;;) {
    let child = 2 * i + 1
    if (child >= n) break
    const right = child + 1
    if (right < n && better(heap[child] ?? 0, heap[right] ?? 0)) child = right
    const below = heap[child] ?? 0
    if (!better(doc, below)) break
    heap[i] = below
    i = child
  }
  heap[i] = doc
}
