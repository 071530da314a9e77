import { MailboxError } from '../errors.js'
import { addressQueryTerm, queryTokens } from './tokenize.js'

/**
 * The search box language: what Gmail and Thunderbird users already type, parsed into plain data
 * that the search engine evaluates. One linear pass, no backtracking, bounded input.
 *
 *   query  := clause*                          clauses are AND-ed
 *   clause := unit ('OR' unit)*                a clause matches when any of its atoms does
 *   unit   := atom | '(' atom ('OR' atom)* ')'  one level of parentheses, holding an OR list
 *   atom   := ['-'] (word['*'] | '"phrase"'['*'] | key ':' (value | '"value"'))
 *
 * OR binds tighter than the implicit AND, as in Gmail (`a b OR c` = a AND (b OR c)), so
 * parentheses only mark an OR list; nesting, negating a group and `(a b)` are rejected, saying so.
 */

/** Longest query accepted, in UTF-16 code units. */
export const MAX_QUERY_LENGTH = 1_000
/** Most words, phrases and filters one query may hold. */
export const MAX_QUERY_ATOMS = 50

/**
 * Where a term must occur. `any`: any text indexed with `tokenize` (subject, body, attachment
 * names, and `tokenize(name + ' ' + address)` of every sender and recipient). `to`: any recipient —
 * To, Cc or Bcc (Gmail covers To and Cc; Bcc is added because it is only known on mail the user
 * sent, where "sent to bob" includes a Bcc to bob). `cc`, `bcc`: that header only. `filename`:
 * attachment names.
 */
export type TermField = 'any' | 'subject' | 'from' | 'to' | 'cc' | 'bcc' | 'filename'

/**
 * One token to find. Tokens come from {@link queryTokens} (`any`, `subject`, `filename`: index
 * those fields with `tokenize`) or, for address fields, from {@link addressQueryTerm} (index them
 * with `addressTokens`). With `prefix`, any indexed token starting with `text` matches (`text`
 * itself too).
 */
export interface TermAtom {
  readonly kind: 'term'
  readonly field: TermField
  readonly text: string
  readonly prefix: boolean
  /** The clause is satisfied by messages that do NOT match. */
  readonly negated: boolean
}

/**
 * Consecutive tokens (positions counted among emitted tokens). Made from a quoted phrase, or from
 * one word that splits into several tokens (`e-mail.txt`, `東京都`). With `prefix`, the last token is
 * a prefix.
 */
export interface PhraseAtom {
  readonly kind: 'phrase'
  readonly field: TermField
  readonly tokens: readonly string[]
  readonly prefix: boolean
  readonly negated: boolean
}

/** What one word, phrase or text filter of the query became. */
export type SearchAtom = TermAtom | PhraseAtom

/** A disjunction: a message satisfies it when it satisfies at least one atom. Never empty. */
export type SearchClause = readonly SearchAtom[]

/**
 * Conditions on a message's metadata, all of which must hold; an absent field constrains nothing.
 * Names follow `MessageSummary` (flags.seen, flags.flagged, flags.answered, hasAttachments, folder,
 * labels, date, size).
 */
export interface SearchFilters {
  /** `is:read` → true, `is:unread` → false. */
  readonly seen?: boolean
  /** `is:flagged` / `is:starred` → true. */
  readonly flagged?: boolean
  /** `is:answered` → true. */
  readonly answered?: boolean
  /** `has:attachment` → true, `-has:attachment` → false. */
  readonly hasAttachments?: boolean
  /** `in:NAME` as typed: compare case-insensitively (built-in folder ids are lower case). */
  readonly folder?: string
  /** `-in:NAME`: the message's folder is none of these (as typed). */
  readonly excludeFolders: readonly string[]
  /** `label:NAME`: the message carries every one (as typed; compare case-insensitively). */
  readonly labels: readonly string[]
  /** `-label:NAME`: the message carries none of these. */
  readonly excludeLabels: readonly string[]
  /**
   * Inclusive lower bound on the message date, ms since the epoch: `after:D` (D at 00:00 UTC, so
   * the day itself is in, as in Gmail), `newer_than:N`, `-before:D`, `-older_than:N`; the latest
   * of several wins.
   */
  readonly dateFrom?: number
  /**
   * Exclusive upper bound on the message date: `before:D` (D at 00:00 UTC, so D itself is out;
   * `after:2026/01/01 before:2026/02/01` is January), `older_than:N`, `-after:D`, `-newer_than:N`.
   */
  readonly dateBefore?: number
  /** Inclusive lower bound on the size in bytes: `larger:N` → N + 1, `-smaller:N` → N. */
  readonly sizeMin?: number
  /** Inclusive upper bound on the size in bytes: `smaller:N` → N − 1, `-larger:N` → N. */
  readonly sizeMax?: number
}

/**
 * A parsed search: a message matches when it satisfies every clause and every filter. No clauses
 * and no filters (an empty query, or one of only stop words) constrains nothing. JSON-safe.
 */
export interface SearchQuery {
  readonly clauses: readonly SearchClause[]
  readonly filters: SearchFilters
}

/** Settings for {@link parseQuery}. */
export interface ParseQueryOptions {
  /** Reference time for `older_than:` / `newer_than:`, ms since the epoch; default `Date.now()`. */
  now?: number
  /**
   * Mark the last bare word as a prefix when the input does not end in white space, for search as
   * you type (`inv` finds invoice); default true. Pass false for a submitted query.
   */
  implicitPrefix?: boolean
}

const TEXT_KEYS = ['from', 'to', 'cc', 'bcc', 'subject', 'filename'] as const
// prettier-ignore
const FILTER_KEYS = [
  'has', 'is', 'in', 'label', 'before', 'after', 'older_than', 'newer_than', 'larger', 'smaller',
] as const
type TextKey = (typeof TEXT_KEYS)[number]
type FilterKey = (typeof FILTER_KEYS)[number]
/** `''` for a bare word or phrase. */
type Key = '' | TextKey | FilterKey
const KEYS: ReadonlySet<string> = new Set([...TEXT_KEYS, ...FILTER_KEYS])
const FILTERS: ReadonlySet<string> = new Set(FILTER_KEYS)
const KNOWN_KEYS = [...KEYS].map((key) => `${key}:`).join(', ')
const ADDRESS_KEYS: ReadonlySet<string> = new Set(['from', 'to', 'cc', 'bcc'])
const KEY = /^[a-z_]+$/
const SPACE = /\s/

interface Operand {
  readonly type: 'operand'
  readonly at: number
  readonly key: Key
  readonly value: string
  readonly quoted: boolean
  readonly negated: boolean
  prefix: boolean
}
type Lexeme = Operand | { readonly type: 'open' | 'close' | 'or'; readonly at: number }

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
type Filters = Mutable<Omit<SearchFilters, 'excludeFolders' | 'labels' | 'excludeLabels'>> & {
  excludeFolders: string[]
  labels: string[]
  excludeLabels: string[]
}

/**
 * Parses a search box query. Keys and `OR` are case-insensitive. Throws SEARCH_QUERY_INVALID, with
 * a message naming the problem, for unknown `key:value` filters, bad dates, sizes and ages,
 * unbalanced quotes or parentheses, misplaced `OR`, filters joined by OR, contradictions the result
 * cannot hold (`is:read is:unread`, two different `in:`), and queries over
 * {@link MAX_QUERY_LENGTH} characters or {@link MAX_QUERY_ATOMS} atoms. Words that yield no token
 * (stop words, single letters) are ignored; a clause left empty is dropped.
 */
export function parseQuery(input: string, options: ParseQueryOptions = {}): SearchQuery {
  const now = options.now ?? Date.now()
  if (!Number.isFinite(now)) throw MailboxError.INVALID_ARGUMENT('now must be a finite number')
  if (typeof input !== 'string') throw invalid('the query is not text')
  if (input.length > MAX_QUERY_LENGTH) {
    throw invalid(`the query is ${input.length} characters long; the limit is ${MAX_QUERY_LENGTH}`)
  }
  const lexemes = lex(input, options.implicitPrefix ?? true)
  const filters: Filters = { excludeFolders: [], labels: [], excludeLabels: [] }
  const clauses: SearchClause[] = []
  for (const group of groupClauses(lexemes)) {
    const filter = group.length > 1 ? group.find((op) => FILTERS.has(op.key)) : undefined
    if (filter) {
      throw invalid(
        `${filter.key}: cannot be joined with OR (position ${filter.at + 1}); ` +
          'OR joins words, phrases and from:, to:, cc:, bcc:, subject:, filename: terms',
      )
    }
    const atoms: SearchAtom[] = []
    for (const op of group) {
      if (FILTERS.has(op.key)) applyFilter(filters, op, now)
      else pushAtom(atoms, op)
    }
    if (atoms.length > 0) clauses.push(atoms)
  }
  return { clauses, filters }
}

function invalid(reason: string): MailboxError {
  return MailboxError.SEARCH_QUERY_INVALID(reason)
}

/** Splits the input into operands, parentheses and ORs, looking at each character a few times. */
function lex(input: string, implicitPrefix: boolean): Lexeme[] {
  const lexemes: Lexeme[] = []
  const n = input.length
  let operands = 0
  let i = 0
  while (i < n) {
    const c = input.charAt(i)
    if (SPACE.test(c)) {
      i++
    } else if (c === '(' || c === ')') {
      lexemes.push({ type: c === '(' ? 'open' : 'close', at: i++ })
    } else {
      if (c === '-' && input.charAt(i + 1) === '(') {
        throw invalid(
          `a minus cannot negate a group (position ${i + 1}); put it on each term: -a -b`,
        )
      }
      const negated = c === '-' && i + 1 < n && !isBoundary(input, i + 1)
      const { operand, end } = readOperand(input, negated ? i + 1 : i, i)
      const { key, quoted, prefix, value } = operand
      // A final `or` still being typed (order…) is a word, not an operator missing its right side.
      const typing = implicitPrefix && end === n
      if (key === '' && !quoted && !negated && !prefix && !typing && value.toLowerCase() === 'or') {
        lexemes.push({ type: 'or', at: i })
      } else if (++operands > MAX_QUERY_ATOMS) {
        throw invalid(`the query has more than ${MAX_QUERY_ATOMS} terms and filters`)
      } else {
        lexemes.push({ type: 'operand', at: i, negated, ...operand })
      }
      i = end
    }
  }
  const last = lexemes.at(-1)
  if (implicitPrefix && last?.type === 'operand' && !SPACE.test(input.charAt(n - 1))) {
    if (last.key === '' && !last.quoted && !last.negated) last.prefix = true
  }
  return lexemes
}

function isBoundary(input: string, i: number): boolean {
  const c = input.charAt(i)
  return c === '(' || c === ')' || SPACE.test(c)
}

type OperandText = Pick<Operand, 'key' | 'value' | 'quoted' | 'prefix'>

/** Reads a phrase, a `key:value` or a word from `i` (past any minus); `at` is where it began. */
function readOperand(input: string, i: number, at: number): { operand: OperandText; end: number } {
  let key: Key = ''
  let value: string
  let quoted = input.charAt(i) === '"'
  let end: number
  if (quoted) {
    ;[value, end] = readQuoted(input, i)
  } else {
    end = i
    while (end < input.length && !isBoundary(input, end) && input.charAt(end) !== '"') end++
    value = input.slice(i, end)
    const colon = value.indexOf(':')
    const name = value.slice(0, Math.max(colon, 0)).toLowerCase()
    const rest = value.slice(colon + 1)
    if (colon > 0 && KEYS.has(name)) {
      key = name as Key
      value = rest
      if (rest === '' && input.charAt(end) === '"') {
        quoted = true
        ;[value, end] = readQuoted(input, end)
      }
      if (value.trim() === '') throw invalid(`${key}: needs a value (position ${at + 1})`)
    } else if (colon > 0 && KEY.test(name) && (rest !== '' || input.charAt(end) === '"')) {
      // `Re:` and URLs stay text; anything else shaped like a filter is a typo worth reporting.
      if (!rest.startsWith('//')) {
        throw invalid(
          `unknown filter "${name}:" (position ${at + 1}); known filters: ${KNOWN_KEYS}`,
        )
      }
    }
  }
  let prefix = false
  if (!FILTERS.has(key)) {
    if (quoted) {
      while (input.charAt(end) === '*') end++
      prefix = input.charAt(end - 1) === '*'
    } else {
      let length = value.length
      while (length > 0 && value.charAt(length - 1) === '*') length--
      prefix = length < value.length
      value = value.slice(0, length)
    }
  }
  return { operand: { key, value, quoted, prefix }, end }
}

function readQuoted(input: string, open: number): [string, number] {
  const close = input.indexOf('"', open + 1)
  if (close < 0) throw invalid(`the quote at position ${open + 1} is never closed`)
  return [input.slice(open + 1, close), close + 1]
}

/** Groups operands into OR lists, checking OR and parentheses placement. */
function groupClauses(lexemes: readonly Lexeme[]): Operand[][] {
  const clauses: Operand[][] = []
  let current: Operand[] = []
  let afterOr = false
  let open: number | undefined
  let inGroup = 0
  let previous: Lexeme | undefined
  const orMisplaced = (at: number) => invalid(`OR at position ${at + 1} needs a term on each side`)
  for (const lexeme of lexemes) {
    switch (lexeme.type) {
      case 'or':
        if (current.length === 0 || afterOr || previous?.type === 'open')
          throw orMisplaced(lexeme.at)
        afterOr = true
        break
      case 'open':
        if (open !== undefined) {
          throw invalid(
            `nested parentheses at position ${lexeme.at + 1}; one level, (a OR b), is supported`,
          )
        }
        open = lexeme.at
        inGroup = 0
        break
      case 'close':
        if (open === undefined)
          throw invalid(`")" at position ${lexeme.at + 1} has no matching "("`)
        if (previous?.type === 'or') throw orMisplaced(previous.at)
        if (inGroup === 0) throw invalid(`empty parentheses at position ${open + 1}`)
        open = undefined
        break
      case 'operand':
        if (afterOr) {
          current.push(lexeme)
          afterOr = false
        } else {
          if (open !== undefined && inGroup > 0) {
            throw invalid(
              `inside parentheses join terms with OR (position ${lexeme.at + 1}); ` +
                'parentheses hold one OR list, and terms outside them are AND-ed anyway',
            )
          }
          if (current.length > 0) clauses.push(current)
          current = [lexeme]
        }
        inGroup++
        break
    }
    previous = lexeme
  }
  if (afterOr) throw invalid('OR at the end of the query needs a term after it')
  if (open !== undefined) throw invalid(`"(" at position ${open + 1} is never closed`)
  if (current.length > 0) clauses.push(current)
  return clauses
}

function pushAtom(atoms: SearchAtom[], op: Operand): void {
  const field: TermField = op.key === '' ? 'any' : (op.key as TermField)
  const tokens = ADDRESS_KEYS.has(field)
    ? addressTerm(op.value, op.prefix)
    : queryTokens(op.value, { prefix: op.prefix })
  const [first] = tokens
  if (first === undefined) return
  const { prefix, negated } = op
  atoms.push(
    tokens.length === 1
      ? { kind: 'term', field, text: first, prefix, negated }
      : { kind: 'phrase', field, tokens, prefix, negated },
  )
}

/**
 * An address-field value is one whole token ({@link addressQueryTerm}), so `from:alice`,
 * `from:example.org` and `from:alice@example.org` all match; a quoted value with spaces is a name
 * phrase (`from:"Alice Smith"`).
 */
function addressTerm(value: string, prefix: boolean): string[] {
  const term = addressQueryTerm(value)
  if (term === '') return []
  return SPACE.test(term) ? queryTokens(term, { prefix }) : [term]
}

const IS_VALUES = new Map<string, ['seen' | 'flagged' | 'answered', boolean]>([
  ['read', ['seen', true]],
  ['unread', ['seen', false]],
  ['flagged', ['flagged', true]],
  ['starred', ['flagged', true]],
  ['answered', ['answered', true]],
])
const DAY_MS = 86_400_000
const DATE = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$/
const AGE = /^(\d{1,6})([dmy])$/i
const SIZE = /^(\d{1,12}(?:\.\d{1,6})?)(?:([km])b?)?$/i

function applyFilter(filters: Filters, op: Operand, now: number): void {
  const { key, negated } = op
  const value = op.value.trim()
  const shown = `${negated ? '-' : ''}${key}:${value}`
  switch (key) {
    case 'is': {
      const flag = IS_VALUES.get(value.toLowerCase())
      if (!flag) {
        throw invalid(
          `"${shown}" is unknown; use is:unread, is:read, is:flagged, is:starred or is:answered`,
        )
      }
      setOnce(filters, flag[0], flag[1] !== negated, shown)
      return
    }
    case 'has':
      if (value.toLowerCase() !== 'attachment') {
        throw invalid(`"${shown}" is unknown; the only has: filter is has:attachment`)
      }
      setOnce(filters, 'hasAttachments', !negated, shown)
      return
    case 'in':
      if (negated) {
        addName(filters.excludeFolders, value)
      } else if (filters.folder === undefined) {
        filters.folder = value
      } else if (!sameName(filters.folder, value)) {
        throw invalid(
          `a message is in one folder, so in:${filters.folder} and in:${value} never both hold`,
        )
      }
      return
    case 'label':
      addName(negated ? filters.excludeLabels : filters.labels, value)
      return
    case 'before':
    case 'after':
      bound(filters, key === 'after' ? !negated : negated, parseDate(shown, value))
      return
    case 'older_than':
    case 'newer_than':
      bound(filters, key === 'newer_than' ? !negated : negated, parseAge(shown, value, now))
      return
    case 'larger':
    case 'smaller': {
      const bytes = parseSize(shown, value)
      // larger:N is size > N, smaller:N is size < N; negating either flips it to ≤ / ≥.
      if ((key === 'larger') !== negated) {
        const min = key === 'larger' ? bytes + 1 : bytes
        filters.sizeMin = Math.max(filters.sizeMin ?? min, min)
      } else {
        const max = key === 'smaller' ? bytes - 1 : bytes
        filters.sizeMax = Math.min(filters.sizeMax ?? max, max)
      }
      return
    }
  }
}

function setOnce(
  filters: Filters,
  name: 'seen' | 'flagged' | 'answered' | 'hasAttachments',
  value: boolean,
  shown: string,
): void {
  if (filters[name] !== undefined && filters[name] !== value) {
    throw invalid(`"${shown}" contradicts an earlier filter in the query`)
  }
  filters[name] = value
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

function addName(names: string[], name: string): void {
  if (!names.some((existing) => sameName(existing, name))) names.push(name)
}

/**
 * Narrows the date range: `from` true sets the inclusive lower bound, false the exclusive upper
 * one.
 */
function bound(filters: Filters, from: boolean, ms: number): void {
  if (from) filters.dateFrom = Math.max(filters.dateFrom ?? ms, ms)
  else filters.dateBefore = Math.min(filters.dateBefore ?? ms, ms)
}

/** YYYY-MM-DD or YYYY/MM/DD → that day's UTC midnight. */
function parseDate(shown: string, value: string): number {
  const match = DATE.exec(value)
  const year = Number(match?.[1])
  const month = Number(match?.[3]) - 1
  const day = Number(match?.[4])
  const date = new Date(0)
  date.setUTCFullYear(year, month, day)
  // A rolled-over day (2026-02-30 → March 2) reads back as a different date.
  const same =
    date.getUTCFullYear() === year && date.getUTCMonth() === month && date.getUTCDate() === day
  if (!match || !same) {
    throw invalid(`"${shown}" is not a valid date; expected YYYY-MM-DD or YYYY/MM/DD`)
  }
  return date.getTime()
}

/**
 * Nd, Nm or Ny before `now`; months and years are calendar ones in UTC (Mar 31 − 1m = Feb 28/29).
 */
function parseAge(shown: string, value: string, now: number): number {
  const match = AGE.exec(value)
  if (!match) {
    throw invalid(`"${shown}" is not an age; expected a number and d, m or y (2d, 6m, 1y)`)
  }
  const count = Number(match[1])
  const unit = (match[2] ?? '').toLowerCase()
  const ms =
    unit === 'd' ? now - count * DAY_MS : monthsBefore(now, unit === 'm' ? count : count * 12)
  if (Number.isNaN(ms)) throw invalid(`"${shown}" is out of range`)
  return ms
}

function monthsBefore(now: number, months: number): number {
  const start = new Date(now)
  const year = start.getUTCFullYear()
  const month = start.getUTCMonth() - months
  const date = new Date(0)
  date.setUTCFullYear(year, month + 1, 0) // day 0 of the next month: the last day of this one
  date.setUTCFullYear(year, month, Math.min(start.getUTCDate(), date.getUTCDate()))
  const timeOfDay = now - Math.floor(now / DAY_MS) * DAY_MS
  return date.getTime() + timeOfDay
}

/** Bytes, or K / M (optionally KB / MB) for 1024 and 1024² bytes; decimals allowed (1.5M). */
function parseSize(shown: string, value: string): number {
  const match = SIZE.exec(value)
  const unit = (match?.[2] ?? '').toLowerCase()
  const bytes = Math.round(
    Number(match?.[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : 1),
  )
  if (!match || !Number.isSafeInteger(bytes)) {
    throw invalid(
      `"${shown}" is not a size; expected a number of bytes, optionally with K or M (500K, 5M)`,
    )
  }
  return bytes
}
