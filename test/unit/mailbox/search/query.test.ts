import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { MailboxError } from '../../../../src/mailbox/errors.js'
import {
  MAX_QUERY_ATOMS,
  MAX_QUERY_LENGTH,
  parseQuery,
  type PhraseAtom,
  type SearchFilters,
  type SearchQuery,
  type TermAtom,
} from '../../../../src/mailbox/search/index.js'

const DAY = 86_400_000
/** Tuesday 2026-03-31 12:00 UTC: the end of a 31-day month, so month arithmetic has to clamp. */
const NOW = Date.UTC(2026, 2, 31, 12)
const K = 1024
const M = 1024 * 1024

type Options = Partial<Omit<TermAtom, 'kind' | 'text'>>
const term = (text: string, options: Options = {}): TermAtom => ({
  kind: 'term',
  field: 'any',
  text,
  prefix: false,
  negated: false,
  ...options,
})
const phrase = (tokens: string[], options: Options = {}): PhraseAtom => ({
  kind: 'phrase',
  field: 'any',
  tokens,
  prefix: false,
  negated: false,
  ...options,
})
const query = (
  clauses: SearchQuery['clauses'],
  filters: Partial<SearchFilters> = {},
): SearchQuery => ({
  clauses,
  filters: { excludeFolders: [], labels: [], excludeLabels: [], ...filters },
})

/** A submitted query: no implicit prefix, so every expectation below is exact. */
const parse = (input: string) => parseQuery(input, { now: NOW, implicitPrefix: false })

const cases: [string, SearchQuery][] = [
  [
    'from:alice has:attachment after:2026/01/01 report',
    query([[term('alice', { field: 'from' })], [term('report')]], {
      hasAttachments: true,
      dateFrom: Date.UTC(2026, 0, 1),
    }),
  ],
  [
    'subject:"quarterly report" -draft',
    query([
      [phrase(['quarterly', 'report'], { field: 'subject' })],
      [term('draft', { negated: true })],
    ]),
  ],
  ['is:unread in:Inbox', query([], { seen: false, folder: 'Inbox' })],
  ['in:"Project X"', query([], { folder: 'Project X' })],
  ['budget OR forecast', query([[term('budget'), term('forecast')]])],
  ['budget or forecast', query([[term('budget'), term('forecast')]])],
  ['inv*', query([[term('inv', { prefix: true })]])],
  ['older_than:2d', query([], { dateBefore: NOW - 2 * DAY })],
  ['newer_than:7d', query([], { dateFrom: NOW - 7 * DAY })],
  // Calendar months, clamped: a month before 31 March is 28 February.
  ['newer_than:1m', query([], { dateFrom: Date.UTC(2026, 1, 28, 12) })],
  ['older_than:1y', query([], { dateBefore: Date.UTC(2025, 2, 31, 12) })],
  ['larger:5M', query([], { sizeMin: 5 * M + 1 })],
  ['smaller:500K', query([], { sizeMax: 500 * K - 1 })],
  ['larger:1.5M smaller:2MB', query([], { sizeMin: 1.5 * M + 1, sizeMax: 2 * M - 1 })],
  ['larger:2000', query([], { sizeMin: 2001 })],
  ['-larger:10M', query([], { sizeMax: 10 * M })],
  // Gmail's semantics: after: includes its day, before: excludes its day.
  [
    'after:2026-01-05 before:2026/02/01',
    query([], { dateFrom: Date.UTC(2026, 0, 5), dateBefore: Date.UTC(2026, 1, 1) }),
  ],
  ['before:2026/3/1', query([], { dateBefore: Date.UTC(2026, 2, 1) })],
  ['-before:2026-01-01', query([], { dateFrom: Date.UTC(2026, 0, 1) })],
  [
    'after:2026-01-01 after:2026-02-01 newer_than:1y',
    query([], { dateFrom: Date.UTC(2026, 1, 1) }),
  ],
  ['from:alice@example.org', query([[term('alice@example.org', { field: 'from' })]])],
  ['from:example.org', query([[term('example.org', { field: 'from' })]])],
  ['from:<Bob@Example.COM>', query([[term('bob@example.com', { field: 'from' })]])],
  ['from:"Alice Smith"', query([[phrase(['alice', 'smith'], { field: 'from' })]])],
  ['FROM:Alice', query([[term('alice', { field: 'from' })]])],
  ['from:Jean-Luc', query([[term('jean-luc', { field: 'from' })]])],
  ['to:山田太郎', query([[term('山田太郎', { field: 'to' })]])],
  [
    'to:bob cc:carol bcc:dave',
    query([
      [term('bob', { field: 'to' })],
      [term('carol', { field: 'cc' })],
      [term('dave', { field: 'bcc' })],
    ]),
  ],
  [
    'from:alice OR from:bob',
    query([[term('alice', { field: 'from' }), term('bob', { field: 'from' })]]),
  ],
  [
    '-from:newsletter@shop.example OR subject:receipt',
    query([
      [
        term('newsletter@shop.example', { field: 'from', negated: true }),
        term('receipt', { field: 'subject' }),
      ],
    ]),
  ],
  ['is:starred', query([], { flagged: true })],
  ['IS:Flagged is:flagged', query([], { flagged: true })],
  ['is:answered -is:unread', query([], { answered: true, seen: true })],
  ['-has:attachment', query([], { hasAttachments: false })],
  ['label:work -label:spam label:Work', query([], { labels: ['work'], excludeLabels: ['spam'] })],
  [
    '-in:trash -in:spam in:inbox in:INBOX',
    query([], { folder: 'inbox', excludeFolders: ['trash', 'spam'] }),
  ],
  ['filename:report.pdf', query([[phrase(['report', 'pdf'], { field: 'filename' })]])],
  ['filename:pdf', query([[term('pdf', { field: 'filename' })]])],
  ['(budget OR forecast) 2026', query([[term('budget'), term('forecast')], [term('2026')]])],
  // OR binds tighter than AND: a b OR c is a AND (b OR c).
  ['alpha beta OR gamma', query([[term('alpha')], [term('beta'), term('gamma')]])],
  [
    '(alpha OR beta) OR (gamma OR delta)',
    query([[term('alpha'), term('beta'), term('gamma'), term('delta')]]),
  ],
  ['"the end of the year"', query([[phrase(['end', 'year'])]])],
  ['"report"', query([[term('report')]])],
  ['café Résumé', query([[term('cafe')], [term('resume')]])],
  ['the a of', query([])],
  ['', query([])],
  ['follow-up', query([[phrase(['follow', 'up'])]])],
  ['東京都', query([[phrase(['東京', '京都'])]])],
  ['Re: meeting', query([[term('re')], [term('meeting')]])],
  ['https://example.org/path', query([[phrase(['https', 'example', 'org', 'path'])]])],
  ['10:30 standup', query([[phrase(['10', '30'])], [term('standup')]])],
  ['subject:invoice*', query([[term('invoice', { field: 'subject', prefix: true })]])],
  ['"quarterly rep"*', query([[phrase(['quarterly', 'rep'], { prefix: true })]])],
  ['-"out of office"', query([[phrase(['out', 'office'], { negated: true })]])],
  ['from:ali*', query([[term('ali', { field: 'from', prefix: true })]])],
  ['budget OR the', query([[term('budget')]])],
]

describe('parseQuery', () => {
  it.each(cases)('%s', (input, expected) => {
    const parsed = parse(input)
    expect(parsed).toEqual(expected)
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(parsed)
  })

  it('marks the last bare word as a prefix while the user is typing', () => {
    const typing = (input: string) => parseQuery(input, { now: NOW })
    expect(typing('quarterly rep')).toEqual(
      query([[term('quarterly')], [term('rep', { prefix: true })]]),
    )
    expect(typing('quarterly rep ')).toEqual(query([[term('quarterly')], [term('rep')]]))
    expect(typing('budget OR fore')).toEqual(
      query([[term('budget'), term('fore', { prefix: true })]]),
    )
    // A stop word or a single letter is kept as a prefix: it is the start of a longer word.
    expect(typing('report th')).toEqual(query([[term('report')], [term('th', { prefix: true })]]))
    expect(typing('report t')).toEqual(query([[term('report')], [term('t', { prefix: true })]]))
    // A trailing `or` is a word being typed ("order"), not a dangling operator.
    expect(typing('budget or')).toEqual(query([[term('budget')], [term('or', { prefix: true })]]))
    // Only a bare, unquoted, un-negated last word.
    expect(typing('from:ali')).toEqual(query([[term('ali', { field: 'from' })]]))
    expect(typing('report -dra')).toEqual(
      query([[term('report')], [term('dra', { negated: true })]]),
    )
    expect(typing('"exact words"')).toEqual(query([[phrase(['exact', 'words'])]]))
    expect(typing('(budget OR fore)')).toEqual(query([[term('budget'), term('fore')]]))
  })

  it('computes relative dates from now, with calendar months and years', () => {
    const leap = Date.UTC(2024, 1, 29, 8, 30)
    expect(parseQuery('older_than:1y', { now: leap }).filters.dateBefore).toBe(
      Date.UTC(2023, 1, 28, 8, 30),
    )
    expect(parseQuery('newer_than:12m', { now: leap }).filters.dateFrom).toBe(
      Date.UTC(2023, 1, 28, 8, 30),
    )
    expect(parseQuery('newer_than:2M', { now: NOW }).filters.dateFrom).toBe(
      Date.UTC(2026, 0, 31, 12),
    )
    expect(parseQuery('-older_than:3d', { now: NOW }).filters.dateFrom).toBe(NOW - 3 * DAY)
    const before = Date.now()
    const dateBefore = parseQuery('older_than:1d').filters.dateBefore ?? 0
    expect(dateBefore).toBeGreaterThanOrEqual(before - DAY)
    expect(dateBefore).toBeLessThanOrEqual(Date.now() - DAY)
  })

  it('accepts the longest and fullest queries allowed', () => {
    const words = Array.from({ length: MAX_QUERY_ATOMS }, (_, i) => `w${i}`)
    expect(parse(words.join(' ')).clauses).toHaveLength(MAX_QUERY_ATOMS)
    const long = `${'x'.repeat(MAX_QUERY_LENGTH - 6)} hello`
    expect(parse(long).clauses).toEqual([[term('hello')]])
  })
})

/** [query, what the message must mention]; every one is SEARCH_QUERY_INVALID. */
const invalid: [string, string | RegExp][] = [
  ['foo:bar', /"foo:".*from:.*larger:/],
  ['Note:important', '"note:"'],
  ['before:2026-13-01', /before:2026-13-01.*YYYY-MM-DD or YYYY\/MM\/DD/],
  ['after:2026-02-30', 'after:2026-02-30'],
  ['after:01/02/2026', 'after:01/02/2026'],
  ['after:2026-00-10', 'after:2026-00-10'],
  ['before:yesterday', 'YYYY-MM-DD'],
  ['older_than:2w', /older_than:2w.*d, m or y/],
  ['newer_than:999999y', 'out of range'],
  ['larger:big', /larger:big.*K or M/],
  ['smaller:5G', 'smaller:5G'],
  ['"unclosed phrase', 'quote at position 1'],
  ['subject:"unclosed', 'quote at position 9'],
  ['(a1 OR b1', '"(" at position 1 is never closed'],
  ['a1 OR b1)', '")" at position 9'],
  ['((a1 OR b1))', 'nested'],
  ['(a1 b1)', 'join terms with OR'],
  ['()', 'empty parentheses'],
  ['OR budget', 'OR at position 1'],
  ['budget OR ', 'OR at the end'],
  ['budget OR OR forecast', 'OR at position 11'],
  ['(budget OR) x', 'OR at position 9'],
  ['-(a1 OR b1)', 'minus cannot negate a group'],
  ['is:unread OR is:flagged', 'is: cannot be joined with OR'],
  ['report OR larger:1M', 'larger: cannot be joined with OR'],
  ['is:important', 'is:important'],
  ['has:drive', 'has:drive'],
  ['is:read is:unread', '"is:unread" contradicts'],
  ['has:attachment -has:attachment', '"-has:attachment" contradicts'],
  ['in:Inbox in:Sent', 'one folder'],
  ['from:', 'from: needs a value'],
  ['in:""', 'in: needs a value'],
  ['x'.repeat(MAX_QUERY_LENGTH + 1), `limit is ${MAX_QUERY_LENGTH}`],
  [
    Array.from({ length: MAX_QUERY_ATOMS + 1 }, () => 'w').join(' '),
    `more than ${MAX_QUERY_ATOMS}`,
  ],
]

describe('parseQuery errors', () => {
  const titled = invalid.map(([input, mention]) => {
    const title = input.length > 40 ? `${input.slice(0, 12)}… (${input.length} chars)` : input
    return [title, input, mention] as const
  })
  it.each(titled)('%s', (_title, input, mention) => {
    let caught: unknown
    try {
      parse(input)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(MailboxError)
    expect((caught as MailboxError).code).toBe('SEARCH_QUERY_INVALID')
    expect((caught as MailboxError).message).toMatch(mention)
  })

  it('rejects a trailing OR in a submitted query, and input that is not text', () => {
    expect(() => parseQuery('budget OR', { implicitPrefix: false })).toThrow(/OR at the end/)
    expect(() => parseQuery(42 as unknown as string)).toThrow(MailboxError)
    expect(() => parseQuery('x', { now: Number.NaN })).toThrow(/now/)
  })
})

/** Parses, and fails the property on any exception other than SEARCH_QUERY_INVALID. */
function parsesOrRejects(input: string): void {
  let parsed: SearchQuery
  try {
    parsed = parseQuery(input, { now: NOW })
  } catch (err) {
    if (err instanceof MailboxError && err.code === 'SEARCH_QUERY_INVALID') return
    throw err
  }
  for (const clause of parsed.clauses) {
    expect(clause.length).toBeGreaterThan(0)
    for (const atom of clause) {
      if (atom.kind === 'term') expect(atom.text).not.toBe('')
      else expect(atom.tokens.length).toBeGreaterThan(1)
    }
  }
  expect(JSON.parse(JSON.stringify(parsed))).toEqual(parsed)
}

describe('parseQuery on arbitrary input', () => {
  it('returns a query or throws SEARCH_QUERY_INVALID, nothing else', () => {
    const text = fc.oneof(
      fc.string({ maxLength: MAX_QUERY_LENGTH }),
      fc.string({ unit: 'binary', maxLength: MAX_QUERY_LENGTH }),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
    )
    fc.assert(fc.property(text, parsesOrRejects), { numRuns: 1_000 })
  })

  it('completes on operator soup: quotes, parentheses, colons, minus signs, stars', () => {
    const piece = fc.constantFrom(
      '"',
      '(',
      ')',
      ':',
      '-',
      '*',
      ' ',
      ' ',
      'a',
      'bc',
      'OR',
      'or',
      'from:',
      'is:',
      'in:',
      'larger:',
      'after:',
      '2026-01-01',
      '5M',
      'unread',
      'x:',
    )
    const soup = fc.array(piece, { maxLength: 400 }).map((parts) => parts.join(''))
    fc.assert(fc.property(soup, parsesOrRejects), { numRuns: 1_000 })
  })

  it('completes on the worst shapes at full length', () => {
    const n = MAX_QUERY_LENGTH
    const shapes = [
      '('.repeat(n),
      ')'.repeat(n),
      '"'.repeat(n),
      '"'.repeat(n - 1),
      ':'.repeat(n),
      'a:'.repeat(n / 2),
      '-'.repeat(n),
      '*'.repeat(n),
      `${'*'.repeat(n - 1)}a`,
      'from:'.repeat(n / 5),
      `from:${'<'.repeat(n / 2)}a${'>'.repeat(n / 2 - 6)}`,
      '(a OR '.repeat(n / 6),
      'OR '.repeat(n / 3),
      `"${'a '.repeat(n / 2 - 1)}"`,
      `before:${'9'.repeat(n - 7)}`,
      `larger:${'9'.repeat(n - 7)}`,
    ]
    for (const shape of shapes) {
      expect(shape.length).toBeLessThanOrEqual(n)
      parsesOrRejects(shape)
    }
  })
})
