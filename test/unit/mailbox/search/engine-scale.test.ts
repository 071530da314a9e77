import { describe, expect, it } from 'vitest'
import {
  SearchEngine,
  prepareDoc,
  type IndexedDoc,
  type SearchDoc,
} from '../../../../src/mailbox/search/engine.js'
import { parseQuery } from '../../../../src/mailbox/search/query.js'
import { addressQueryTerm } from '../../../../src/mailbox/search/tokenize.js'
import { syntheticCorpus, word } from './synthetic.js'

/**
 * A smoke test at scale: 20,000 synthetic messages, a few typical queries, a snapshot round trip
 * and a compaction, checking results only (timings belong to the benchmark). Expected answers come
 * from the prepared docs by plain loops.
 */

const COUNT = 20_000
type Entry = { doc: SearchDoc; indexed: IndexedDoc; order: number }

/** Token lists of the `any` values of a prepared doc. */
const anyValues = (d: IndexedDoc) => [d.subject, d.body, ...d.filenames, ...d.people]

function holds(
  d: IndexedDoc,
  values: readonly (readonly number[])[],
  tokens: string[],
  prefix: boolean,
) {
  return values.some((value) => {
    for (let at = 0; at + tokens.length <= value.length; at++) {
      const fits = tokens.every((token, i) => {
        const term = d.terms[value[at + i] ?? -1] ?? ''
        return prefix && i === tokens.length - 1 ? term.startsWith(token) : term === token
      })
      if (fits) return true
    }
    return false
  })
}

describe('SearchEngine at scale', () => {
  it('answers typical queries over 20,000 messages, across snapshots and compaction', () => {
    const corpus = syntheticCorpus(7, { minWords: 40, maxWords: 200 })
    const entries: Entry[] = []
    let engine = new SearchEngine()
    for (let i = 0; i < COUNT; i++) {
      const doc = corpus.next()
      const indexed = prepareDoc(doc)
      entries.push({ doc, indexed, order: i })
      engine.apply({ op: 'add', doc: indexed })
    }
    const sender = addressQueryTerm(entries[3]!.doc.from[0]!.address)
    const prefix = word(1000).slice(0, 4)
    const cases: [string, (e: Entry) => boolean][] = [
      [word(5), (e) => holds(e.indexed, anyValues(e.indexed), [word(5)], false)],
      [word(3000), (e) => holds(e.indexed, anyValues(e.indexed), [word(3000)], false)],
      [
        `${word(2)} from:${sender}`,
        (e) =>
          holds(e.indexed, anyValues(e.indexed), [word(2)], false) &&
          holds(e.indexed, e.indexed.from, [sender], false),
      ],
      [
        `${word(7)} in:archive is:unread`,
        (e) =>
          holds(e.indexed, anyValues(e.indexed), [word(7)], false) &&
          e.doc.folder === 'archive' &&
          !e.doc.seen,
      ],
      [`${prefix}*`, (e) => holds(e.indexed, anyValues(e.indexed), [prefix], true)],
      [
        `"${word(0)} ${word(1)}"`,
        (e) => holds(e.indexed, anyValues(e.indexed), [word(0), word(1)], false),
      ],
      ['label:work has:attachment', (e) => e.doc.labels.includes('work') && e.doc.hasAttachments],
    ]
    const queries = cases.map(([text]) => parseQuery(text, { now: 0, implicitPrefix: false }))
    const check = (live: readonly Entry[]) => {
      cases.forEach(([text, matches], i) => {
        const expected = live.filter(matches)
        const result = engine.search(queries[i]!, { limit: 500 })
        expect(result.total, text).toBe(expected.length)
        const ids = new Set(expected.map((e) => e.doc.id))
        expect(
          result.ids.every((id) => ids.has(id)),
          text,
        ).toBe(true)
        expect(result.ids.length).toBe(Math.min(500, expected.length))
      })
      // Filter-only: exactly the newest 500.
      const newest = live
        .filter(cases[6]![1])
        .sort((a, b) => b.doc.date - a.doc.date || b.order - a.order)
        .slice(0, 500)
        .map((e) => e.doc.id)
      expect(engine.search(queries[6]!, { limit: 500 }).ids).toEqual(newest)
    }
    expect(cases.map(([, matches]) => entries.filter(matches).length).every((n) => n > 0)).toBe(
      true,
    )
    check(entries)

    const answers = () => queries.map((query) => engine.search(query, { limit: 500 }))
    const before = answers()
    engine = SearchEngine.restore(engine.snapshot())
    expect(answers()).toEqual(before)

    // Removing a third triggers a compaction; the survivors must come back the same way.
    const live = entries.filter((entry) => entry.order % 3 !== 0)
    for (const entry of entries) {
      if (entry.order % 3 === 0) engine.apply({ op: 'remove', id: entry.doc.id })
    }
    expect(engine.size).toBe(live.length)
    check(live)
    const compacted = answers()
    engine = SearchEngine.restore(engine.snapshot())
    expect(answers()).toEqual(compacted)
  })
})
