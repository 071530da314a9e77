import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  SearchEngine,
  prepareDoc,
  type DocMeta,
  type SearchDoc,
} from '../../../../src/mailbox/search/engine.js'
import type {
  SearchAtom,
  SearchClause,
  SearchFilters,
  SearchQuery,
  TermField,
} from '../../../../src/mailbox/search/query.js'
import { addressTokens, tokenize } from '../../../../src/mailbox/search/tokenize.js'
import type { MailAddress } from '../../../../src/mailbox/mime/types.js'
import { referenceSearch } from './reference.js'

/**
 * The engine against the plain reference evaluator: random small mailboxes built by random changes
 * (adds, replacements, removals, metadata changes, snapshot round trips), random queries over
 * their vocabulary; the same id sets must come back.
 */

const WORDS = ['alpha', 'alpine', 'alps', 'beta', 'betamax', 'gamma', 'delta', 'deltas', 'omega']
const FILLER = ['the', 'of', 'x', '42', 'café', 'Alpha-Beta', '東京都']
const PEOPLE: MailAddress[] = [
  { name: 'Ann Lee', address: 'ann@lee.example' },
  { name: 'Bo', address: 'bo.x@alpha.example' },
  { name: '', address: 'gamma@beta.org' },
  { name: 'Delta Team', address: 'team@delta.example' },
]
const FILENAMES = ['alpha.pdf', 'beta-gamma.txt', 'omega notes.doc', 'IMG_42.jpg']
const FOLDERS = ['inbox', 'Archive', 'sent']
const LABELS = ['work', 'Home', 'x1']
const FIELDS: TermField[] = ['any', 'subject', 'from', 'to', 'cc', 'bcc', 'filename']
const DAY = 86_400_000

/** Every token the corpus can hold, and some it cannot. */
const TOKENS = [
  ...new Set([
    ...[...WORDS, ...FILLER, ...FILENAMES].flatMap((text) => tokenize(text)),
    ...PEOPLE.flatMap((person) => [
      ...addressTokens(person.name, person.address),
      ...tokenize(`${person.name} ${person.address}`),
    ]),
    'absent',
  ]),
]

/** Runs of two or three tokens that occur in a row somewhere: phrases that can match. */
const WINDOWS: string[][] = [
  ...PEOPLE.flatMap((person) => [
    addressTokens(person.name, person.address),
    tokenize(`${person.name} ${person.address}`),
  ]),
  ...FILENAMES.map((name) => tokenize(name)),
  ...FILLER.map((text) => tokenize(text)),
].flatMap((tokens) =>
  tokens
    .flatMap((_, i) => [tokens.slice(i, i + 2), tokens.slice(i, i + 3)])
    .filter((run) => run.length > 1),
)

const text = (max: number) =>
  fc.array(fc.constantFrom(...WORDS, ...FILLER), { maxLength: max }).map((words) => words.join(' '))

const metaArb: fc.Arbitrary<DocMeta> = fc.record({
  folder: fc.constantFrom(...FOLDERS),
  labels: fc.subarray(LABELS),
  seen: fc.boolean(),
  flagged: fc.boolean(),
  answered: fc.boolean(),
  hasAttachments: fc.boolean(),
  date: fc.integer({ min: 1, max: 6 }).map((day) => day * DAY),
  size: fc.constantFrom(100, 1_000, 5_000),
})

const people = (max: number) => fc.subarray(PEOPLE, { maxLength: max })

const docArb = (id: string): fc.Arbitrary<SearchDoc> =>
  fc
    .record({
      meta: metaArb,
      subject: text(4),
      body: text(14),
      from: people(1),
      to: people(2),
      cc: people(1),
      bcc: people(1),
      filenames: fc.subarray(FILENAMES, { maxLength: 2 }),
    })
    .map(({ meta, ...rest }) => ({ id, ...meta, ...rest }))

type Op =
  | { kind: 'add'; doc: SearchDoc }
  | { kind: 'remove'; id: string }
  | { kind: 'meta'; id: string; meta: DocMeta }
  | { kind: 'snapshot' }

const idArb = fc.integer({ min: 0, max: 11 }).map((n) => `id${n}`)
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: idArb.chain((id) => docArb(id).map((doc): Op => ({ kind: 'add', doc }))),
  },
  { weight: 2, arbitrary: idArb.map((id): Op => ({ kind: 'remove', id })) },
  {
    weight: 2,
    arbitrary: fc.tuple(idArb, metaArb).map(([id, meta]): Op => ({ kind: 'meta', id, meta })),
  },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'snapshot' }) },
)

/** A token, or (for prefixes) the start of one. */
const tokenArb = fc.constantFrom(...TOKENS)
const startArb = fc.tuple(tokenArb, fc.nat()).map(([token, n]) =>
  Array.from(token)
    .slice(0, 1 + (n % Array.from(token).length))
    .join(''),
)

const atomArb: fc.Arbitrary<SearchAtom> = fc.oneof(
  fc
    .record({ field: fc.constantFrom(...FIELDS), prefix: fc.boolean(), negated: fc.boolean() })
    .chain((atom) =>
      (atom.prefix ? startArb : tokenArb).map((text) => ({ kind: 'term' as const, text, ...atom })),
    ),
  fc
    .record({
      field: fc.constantFrom(...FIELDS),
      tokens: fc.oneof(
        fc.constantFrom(...WINDOWS),
        fc.array(tokenArb, { minLength: 2, maxLength: 3 }),
      ),
      cut: fc.option(fc.nat()),
      negated: fc.boolean(),
    })
    .map(({ field, tokens, cut, negated }) => {
      // With a cut, the last token is shortened and becomes a prefix.
      const last = Array.from(tokens.at(-1) ?? '')
      const end = cut === null ? last : last.slice(0, 1 + (cut % last.length))
      return {
        kind: 'phrase' as const,
        field,
        tokens: [...tokens.slice(0, -1), end.join('')],
        prefix: cut !== null,
        negated,
      }
    }),
)

const filtersArb: fc.Arbitrary<SearchFilters> = fc
  .record(
    {
      seen: fc.boolean(),
      flagged: fc.boolean(),
      answered: fc.boolean(),
      hasAttachments: fc.boolean(),
      folder: fc.constantFrom(...FOLDERS, 'ARCHIVE', 'nowhere'),
      dateFrom: fc.integer({ min: 1, max: 6 }).map((day) => day * DAY),
      dateBefore: fc.integer({ min: 1, max: 7 }).map((day) => day * DAY),
      sizeMin: fc.constantFrom(100, 1_000, 5_000),
      sizeMax: fc.constantFrom(100, 1_000, 5_000),
    },
    { requiredKeys: [] },
  )
  .chain((optional) =>
    fc
      .record({
        excludeFolders: fc.subarray([...FOLDERS, 'SENT']),
        labels: fc.subarray([...LABELS, 'HOME', 'none']),
        excludeLabels: fc.subarray([...LABELS, 'WORK']),
      })
      .map((lists) => ({ ...optional, ...lists })),
  )

const queryArb: fc.Arbitrary<SearchQuery> = fc.record({
  clauses: fc.array(
    fc.array(atomArb, { minLength: 1, maxLength: 3 }) as fc.Arbitrary<SearchClause>,
    {
      maxLength: 3,
    },
  ),
  filters: fc.oneof(
    filtersArb,
    fc.constant<SearchFilters>({ excludeFolders: [], labels: [], excludeLabels: [] }),
  ),
})

/** Applies `ops` to an engine and to a plain map of documents. */
function run(ops: readonly Op[]): { engine: SearchEngine; docs: Map<string, SearchDoc> } {
  let engine = new SearchEngine()
  const docs = new Map<string, SearchDoc>()
  for (const op of ops) {
    if (op.kind === 'add') {
      engine.apply({ op: 'add', doc: prepareDoc(op.doc) })
      docs.delete(op.doc.id) // a replacement counts as the newest message
      docs.set(op.doc.id, op.doc)
    } else if (op.kind === 'remove') {
      engine.apply({ op: 'remove', id: op.id })
      docs.delete(op.id)
    } else if (op.kind === 'meta') {
      engine.apply({ op: 'meta', id: op.id, meta: op.meta })
      const doc = docs.get(op.id)
      if (doc) docs.set(op.id, { ...doc, ...op.meta })
    } else {
      engine = SearchEngine.restore(engine.snapshot())
    }
  }
  return { engine, docs }
}

describe('SearchEngine against the reference evaluator', () => {
  it('finds the same messages for random mailboxes and queries', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 24 }),
        fc.array(queryArb, { minLength: 1, maxLength: 8 }),
        (ops, queries) => {
          const { engine, docs } = run(ops)
          expect(engine.size).toBe(docs.size)
          for (const query of queries) {
            const expected = referenceSearch(docs.values(), query)
            const result = engine.search(query, { limit: 500 })
            expect([...result.ids].sort()).toEqual(expected)
            expect(result.total).toBe(expected.length)
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('orders queries without positive words newest first', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 24 }), filtersArb, (ops, filters) => {
        const { engine, docs } = run(ops)
        const { ids } = engine.search({ clauses: [], filters }, { limit: 500 })
        const dates = ids.map((id) => docs.get(id)?.date ?? Number.NaN)
        expect(dates).toEqual([...dates].sort((a, b) => b - a))
        // Equal dates: the message added (or replaced) last comes first.
        const order = [...docs.keys()]
        for (let i = 1; i < ids.length; i++) {
          if (dates[i] === dates[i - 1]) {
            expect(order.indexOf(ids[i]!)).toBeLessThan(order.indexOf(ids[i - 1]!))
          }
        }
      }),
      { numRuns: 100 },
    )
  })

  it('answers the same after a snapshot round trip, order included', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 24 }),
        fc.array(queryArb, { minLength: 1, maxLength: 5 }),
        (ops, queries) => {
          const { engine } = run(ops)
          const restored = SearchEngine.restore(engine.snapshot())
          for (const query of queries) {
            expect(restored.search(query, { limit: 500 })).toEqual(
              engine.search(query, { limit: 500 }),
            )
          }
        },
      ),
      { numRuns: 100 },
    )
  })
})
