import { describe, expect, it } from 'vitest'
import { MailboxErrorCode } from '../../../../src/mailbox/errors.js'
import {
  MAX_FIELD_VALUES,
  PREFIX_EXPANSION_LIMIT,
  SearchEngine,
  prepareDoc,
  type SearchChange,
  type SearchDoc,
} from '../../../../src/mailbox/search/engine.js'
import { parseQuery } from '../../../../src/mailbox/search/query.js'
import { CORPUS, QUERY_TABLE, day, ids, message } from './corpus.js'
import { referenceSearch } from './reference.js'

const NOW = Date.UTC(2026, 1, 1)
const parse = (query: string) => parseQuery(query, { now: NOW, implicitPrefix: false })
const add = (doc: SearchDoc): SearchChange => ({ op: 'add', doc: prepareDoc(doc) })

function build(docs: readonly SearchDoc[] = CORPUS): SearchEngine {
  const engine = new SearchEngine()
  for (const doc of docs) engine.apply(add(doc))
  return engine
}

/** Every match, best first. */
const search = (engine: SearchEngine, query: string) => engine.search(parse(query), { limit: 500 })
const found = (engine: SearchEngine, query: string) => [...search(engine, query).ids].sort()

function errorOf(fn: () => unknown): { code?: string } {
  try {
    fn()
  } catch (err) {
    return err as { code?: string }
  }
  throw new Error('expected a throw')
}

describe('SearchEngine: the query table', () => {
  const engine = build()

  it.each(QUERY_TABLE)('%s', (query, expected) => {
    const result = search(engine, query)
    expect([...result.ids].sort()).toEqual(expected)
    expect(result.total).toBe(expected.length)
  })

  it('agrees with the plain reference evaluator on every row (the table is right)', () => {
    for (const [query, expected] of QUERY_TABLE) {
      expect(referenceSearch(CORPUS, parse(query)), query).toEqual(expected)
    }
  })
})

describe('SearchEngine: ranking', () => {
  const engine = build()

  it('puts a subject match above a newer body-only match', () => {
    expect(search(engine, 'tokyo').ids).toEqual(['m06', 'm26'])
    const twins = build([
      message(1, { subject: 'zebra crossing', body: 'nothing here' }),
      message(2, { subject: 'nothing here', body: 'zebra crossing' }),
    ])
    expect(search(twins, 'zebra').ids).toEqual(['m01', 'm02'])
  })

  it('ranks repeated and rarer terms higher (BM25)', () => {
    const order = search(engine, 'report').ids
    expect(order.indexOf('m14')).toBeLessThan(order.indexOf('m02')) // report ×3 in a short body
    const rare = build([
      message(1, { body: 'common words galore common' }),
      message(2, { body: 'common unusual' }),
      message(3, { body: 'common words' }),
    ])
    expect(search(rare, 'common OR unusual').ids[0]).toBe('m02')
    const repeats = build([
      message(1, { body: 'zebra zebra crossing' }),
      message(2, { body: 'zebra road crossing' }),
    ])
    expect(search(repeats, 'zebra').ids).toEqual(['m01', 'm02'])
  })

  it('counts only live messages in document frequencies, before any compaction', () => {
    const filler = Array.from({ length: 20 }, (_, i) => message(10 + i, { body: 'filler' }))
    const docs = [
      message(1, { body: 'xray' }),
      message(2, { body: 'yak' }),
      message(3, { body: 'yak' }),
      ...[4, 5, 6].map((n) => message(n, { body: 'xray' })),
      ...filler,
    ]
    const engine = build(docs)
    for (const id of ids(4, 5, 6)) engine.apply({ op: 'remove', id })
    // One live message holds xray, two hold yak: xray is the rarer, so m01 ranks first.
    expect(search(engine, 'xray OR yak').ids).toEqual(['m01', 'm03', 'm02'])
    const restored = SearchEngine.restore(engine.snapshot())
    expect(search(restored, 'xray OR yak').ids).toEqual(['m01', 'm03', 'm02'])
  })

  it('breaks ties by date, newest first, then by the later-added message', () => {
    const same = { subject: 'same', body: 'same text' }
    const tied = build([message(1, same), message(2, same), message(3, { ...same, date: day(2) })])
    expect(search(tied, 'same').ids).toEqual(['m03', 'm02', 'm01'])
  })

  it('sorts filter-only, empty and negation-only queries newest first', () => {
    expect(search(engine, 'label:travel').ids).toEqual(['m27', 'm26', 'm22', 'm07', 'm06'])
    const newest = ids(...Array.from({ length: 30 }, (_, i) => i + 1)).reverse()
    expect(search(engine, '').ids).toEqual(newest)
    expect(search(engine, '-zzz').ids).toEqual(newest)
  })

  it('pages through the results without overlap', () => {
    const page = (offset: number, limit: number) =>
      engine.search(parse('is:unread'), { offset, limit })
    expect(page(0, 5)).toEqual({ ids: ['m30', 'm29', 'm27', 'm25', 'm22'], total: 15 })
    expect(page(5, 5)).toEqual({ ids: ['m21', 'm20', 'm16', 'm15', 'm13'], total: 15 })
    expect(page(14, 5)).toEqual({ ids: ['m01'], total: 15 })
    expect(page(20, 5)).toEqual({ ids: [], total: 15 })
    expect(page(0, 0)).toEqual({ ids: [], total: 15 })
    expect(engine.search(parse('')).ids).toHaveLength(30) // default limit 50
    const text = search(engine, 'report OR invoice OR tokyo').ids
    const paged = [0, 3, 6].flatMap(
      (offset) => engine.search(parse('report OR invoice OR tokyo'), { offset, limit: 3 }).ids,
    )
    expect(paged).toEqual(text)
  })

  it('refuses a limit over 500, a negative or fractional one, and a negative offset', () => {
    for (const options of [{ limit: 501 }, { limit: -1 }, { limit: 1.5 }, { offset: -1 }]) {
      expect(errorOf(() => engine.search(parse('x'), options)).code).toBe(
        MailboxErrorCode.INVALID_ARGUMENT,
      )
    }
  })
})

describe('SearchEngine: phrases', () => {
  it('match whole term ids, not bytes inside a longer id', () => {
    // Ids follow first appearance: w130 gets id 130, stored as the bytes 0x82 0x01, the second
    // of which is also id 1 (w1). "w130 w5" must not read as "w1 w5".
    const words = Array.from({ length: 131 }, (_, i) => `w${i}`).join(' ')
    const engine = build([
      message(1, { to: [], body: words }),
      message(2, { to: [], body: 'w130 w5 w1' }),
    ])
    expect(found(engine, '"w1 w5"')).toEqual([])
    expect(found(engine, '"w130 w5"')).toEqual(ids(2))
    expect(found(engine, '"w1 w2"')).toEqual(ids(1))
    expect(found(engine, '"w129 w13"*')).toEqual(ids(1))
  })
})

describe('SearchEngine: prefix expansion', () => {
  it(`stands for the ${PREFIX_EXPANSION_LIMIT} most frequent terms in the field`, () => {
    const docs: SearchDoc[] = []
    let n = 0
    // 200 terms in two messages each, 10 in one message each: the rare ones fall outside the cap.
    for (let i = 0; i < PREFIX_EXPANSION_LIMIT; i++) {
      for (let copy = 0; copy < 2; copy++) docs.push(message(++n, { body: `pfxc${i}` }))
    }
    for (let i = 0; i < 10; i++) docs.push(message(++n, { body: `pfxr${i}` }))
    const engine = build(docs)
    expect(engine.search(parse('pfx*'), { limit: 0 }).total).toBe(2 * PREFIX_EXPANSION_LIMIT)
    expect(engine.search(parse('pfxr*'), { limit: 0 }).total).toBe(10)
    expect(search(engine, 'pfxr3').ids).toHaveLength(1)
    // Terms outside the field do not take places: `subject:` sees only subject terms.
    const mixed = build([...docs, message(++n, { subject: 'pfxsubject' })])
    expect(search(mixed, 'subject:pfx*').ids).toHaveLength(1)
  })
})

describe('SearchEngine: changes', () => {
  it('applies metadata changes to filters, leaving the text alone', () => {
    const engine = build()
    const meta = {
      folder: 'Archive',
      labels: ['travel', 'Done'],
      seen: true,
      flagged: false,
      answered: false,
      hasAttachments: true,
      date: day(22),
      size: 40_000,
    }
    engine.apply({ op: 'meta', id: 'm22', meta })
    expect(found(engine, 'is:unread label:travel has:attachment')).toEqual(ids(27))
    expect(found(engine, 'in:archive')).toEqual(ids(3, 22, 28))
    expect(found(engine, 'label:done')).toEqual(ids(22))
    expect(found(engine, 'train tickets')).toEqual(ids(22))
    engine.apply({ op: 'meta', id: 'm22', meta: { ...meta, labels: [], date: day(40) } })
    expect(found(engine, 'label:done')).toEqual([])
    expect(search(engine, 'label:travel').ids[0]).toBe('m27')
    expect(search(engine, 'in:archive').ids[0]).toBe('m22')
  })

  it('removes messages, and ignores changes to ids it does not hold', () => {
    const engine = build()
    engine.apply({ op: 'remove', id: 'm27' })
    expect(found(engine, 'kyoto')).toEqual(ids(22))
    expect(engine.has('m27')).toBe(false)
    expect(engine.size).toBe(29)
    engine.apply({ op: 'remove', id: 'm27' })
    engine.apply({ op: 'meta', id: 'm27', meta: { ...CORPUS[26]!, seen: true } })
    expect(engine.size).toBe(29)
    expect(found(engine, 'label:travel')).toEqual(ids(6, 7, 22, 26))
  })

  it("replaces a message re-added under the same id, with the new text's words only", () => {
    const engine = build()
    engine.apply(add(message(22, { from: CORPUS[21]!.from, subject: 'Bus tickets' })))
    expect(engine.size).toBe(30)
    expect(found(engine, 'train')).toEqual([])
    expect(found(engine, 'bus')).toEqual(ids(22))
    expect(found(engine, 'tickets')).toEqual(ids(22))
    expect(found(engine, 'label:travel')).toEqual(ids(6, 7, 26, 27))
    expect(found(engine, 'from:dave')).toEqual(ids(6, 7, 22, 26, 27))
  })

  it('keeps every answer right across compactions (a quarter of the messages removed)', () => {
    const engine = build()
    const live = new Map(CORPUS.map((doc) => [doc.id, doc]))
    for (const n of [2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 1, 4]) {
      const id = ids(n)[0]!
      engine.apply({ op: 'remove', id })
      live.delete(id)
      for (const [query] of QUERY_TABLE) {
        expect(found(engine, query), query).toEqual(referenceSearch(live.values(), parse(query)))
      }
    }
    engine.apply(add(CORPUS[0]!))
    live.set('m01', CORPUS[0]!)
    for (const [query] of QUERY_TABLE) {
      expect(found(engine, query), query).toEqual(referenceSearch(live.values(), parse(query)))
    }
  })

  it('takes prepared docs through JSON, as a change log stores them', () => {
    const engine = new SearchEngine()
    for (const doc of CORPUS) engine.apply(JSON.parse(JSON.stringify(add(doc))) as SearchChange)
    for (const [query, expected] of QUERY_TABLE)
      expect(found(engine, query), query).toEqual(expected)
  })

  it('refuses malformed changes with CORRUPT and stays as it was', () => {
    const engine = build()
    const good = prepareDoc(message(40, { body: 'fresh words' }))
    const bad: unknown[] = [
      null,
      'add',
      { op: 'rename', id: 'm01' },
      { op: 'add', doc: { ...good, v: 2 } },
      { op: 'add', doc: { ...good, id: '' } },
      { op: 'add', doc: { ...good, terms: ['fresh', 'fresh'] } },
      { op: 'add', doc: { ...good, terms: [''] } },
      { op: 'add', doc: { ...good, body: [0, 999] } },
      { op: 'add', doc: { ...good, body: [0.5] } },
      { op: 'add', doc: { ...good, from: [[0], 'x'] } },
      { op: 'add', doc: { ...good, meta: { ...good.meta, date: Number.NaN } } },
      { op: 'add', doc: { ...good, meta: { ...good.meta, labels: [1] } } },
      { op: 'meta', id: 'm01', meta: { folder: 'inbox' } },
      { op: 'meta', id: 7, meta: good.meta },
      { op: 'remove', id: 'x'.repeat(300) },
    ]
    for (const change of bad) {
      const error = errorOf(() => {
        engine.apply(change as SearchChange)
      })
      expect(error.code, JSON.stringify(change)).toBe(MailboxErrorCode.CORRUPT)
    }
    expect(engine.size).toBe(30)
    expect(found(engine, 'fresh')).toEqual([])
    for (const [query, expected] of QUERY_TABLE)
      expect(found(engine, query), query).toEqual(expected)
  })

  it(`indexes the first ${MAX_FIELD_VALUES} entries of a list field`, () => {
    const to = Array.from({ length: MAX_FIELD_VALUES + 5 }, (_, i) => ({
      name: '',
      address: `r${i}@x.example`,
    }))
    const engine = build([message(1, { to })])
    expect(found(engine, `to:r${MAX_FIELD_VALUES - 1}@x.example`)).toEqual(ids(1))
    expect(found(engine, `to:r${MAX_FIELD_VALUES}@x.example`)).toEqual([])
  })

  it('refuses a malformed search doc with INVALID_ARGUMENT', () => {
    for (const doc of [
      message(1, { id: '' }),
      message(1, { date: Number.POSITIVE_INFINITY }),
      message(1, { size: -1 }),
    ]) {
      expect(errorOf(() => prepareDoc(doc)).code).toBe(MailboxErrorCode.INVALID_ARGUMENT)
    }
  })
})

describe('SearchEngine: snapshots', () => {
  const answers = (engine: SearchEngine) =>
    QUERY_TABLE.map(([query]) => engine.search(parse(query), { limit: 500 }))

  it('restores to an engine that answers every query the same, order included', () => {
    const engine = build()
    const restored = SearchEngine.restore(engine.snapshot())
    expect(restored.size).toBe(30)
    expect(answers(restored)).toEqual(answers(engine))
    expect(restored.snapshot()).toEqual(engine.snapshot())
  })

  it('keeps answering the same after further changes on both sides', () => {
    const engine = build(CORPUS.slice(0, 20))
    const restored = SearchEngine.restore(engine.snapshot())
    const changes: SearchChange[] = [
      ...CORPUS.slice(20).map(add),
      { op: 'remove', id: 'm03' },
      { op: 'meta', id: 'm01', meta: { ...CORPUS[0]!, folder: 'sent', seen: true } },
      add(message(7, { subject: 'Photos again', body: 'New pictures of the beach' })),
    ]
    for (const change of changes) {
      engine.apply(change)
      restored.apply(change)
    }
    expect(answers(restored)).toEqual(answers(engine))
    const again = SearchEngine.restore(restored.snapshot())
    expect(answers(again)).toEqual(answers(engine))
  })

  it('holds nothing of a removed message', () => {
    const engine = build()
    engine.apply(add(message(31, { subject: 'xylophonic', body: 'quintessentially' })))
    engine.apply({ op: 'remove', id: 'm31' })
    const snapshot = engine.snapshot()
    for (const word of ['xylophonic', 'quintessentially', 'm31']) {
      expect(snapshot.includes(Buffer.from(word, 'utf16le'))).toBe(false)
    }
    expect(answers(SearchEngine.restore(snapshot))).toEqual(answers(build()))
  })

  it('restores a message without a single word (regression: found by the property test)', () => {
    const engine = build([message(1, { to: [] })])
    const restored = SearchEngine.restore(engine.snapshot())
    expect(restored.has('m01')).toBe(true)
    expect(restored.search(parse('')).ids).toEqual(['m01'])
  })

  it('restores an empty engine', () => {
    const restored = SearchEngine.restore(new SearchEngine().snapshot())
    expect(restored.size).toBe(0)
    expect(restored.search(parse('anything'))).toEqual({ ids: [], total: 0 })
    restored.apply(add(CORPUS[0]!))
    expect(found(restored, 'quarterly')).toEqual(ids(1))
  })
})
