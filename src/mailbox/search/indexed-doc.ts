import { MailboxError } from '../errors.js'
import type { MailAddress } from '../mime/types.js'
import { addressTokens, tokenize } from './tokenize.js'

/** What the mailbox hands the search engine for one message. */
export interface SearchDoc {
  /** Message id. */
  id: string
  folder: string
  labels: string[]
  seen: boolean
  flagged: boolean
  answered: boolean
  hasAttachments: boolean
  /** Ms since the epoch. */
  date: number
  /** Bytes. */
  size: number
  subject: string
  /** Plain text; may be huge, the tokenizer reads only as far as its token cap. */
  body: string
  from: MailAddress[]
  to: MailAddress[]
  cc: MailAddress[]
  bcc: MailAddress[]
  filenames: string[]
}

/** The part of a message that filters look at, and that can change without re-indexing its text. */
export type DocMeta = Pick<
  SearchDoc,
  'folder' | 'labels' | 'seen' | 'flagged' | 'answered' | 'hasAttachments' | 'date' | 'size'
>

/**
 * A {@link SearchDoc} after tokenization, ready for {@link SearchEngine.apply}: plain JSON (arrays,
 * numbers, strings), so it can go into a change log and be applied again on open without running
 * the tokenizer. Each distinct token is spelled once in `terms`; every field is a list of indices
 * into it, in text order (phrases need the order).
 */
export interface IndexedDoc {
  /** Format version; {@link SearchEngine.apply} refuses others. */
  readonly v: 1
  readonly id: string
  readonly meta: DocMeta
  /** Distinct tokens, in first-seen order. */
  readonly terms: readonly string[]
  /** `tokenize(subject)`. */
  readonly subject: readonly number[]
  /** `tokenize(body)`. */
  readonly body: readonly number[]
  /** `tokenize(name)` per attachment name. */
  readonly filenames: readonly (readonly number[])[]
  /** `addressTokens(name, address)` per entry. */
  readonly from: readonly (readonly number[])[]
  readonly to: readonly (readonly number[])[]
  readonly cc: readonly (readonly number[])[]
  readonly bcc: readonly (readonly number[])[]
  /** `tokenize(name + ' ' + address)` per From, To, Cc and Bcc entry: the addresses in `any`. */
  readonly people: readonly (readonly number[])[]
}

/**
 * Most entries indexed per list field (recipients of one kind, attachment names): a message to
 * 50,000 people is still found, by its first thousand, at a bounded cost.
 */
export const MAX_FIELD_VALUES = 1_000
/** Longest term accepted; the tokenizer's longest (a whole word of a 1,000-character name) fits. */
export const MAX_TERM_LENGTH = 1_024
/** Longest message id accepted (the mailbox's are 26 characters). */
export const MAX_ID_LENGTH = 256

/** Tokenizes a message for {@link SearchEngine.apply}. Throws INVALID_ARGUMENT on a malformed doc. */
export function prepareDoc(doc: SearchDoc): IndexedDoc {
  const invalid = (why: string) => MailboxError.INVALID_ARGUMENT(`search document: ${why}`)
  const id = checkId(doc.id, invalid)
  const meta = checkMeta(doc, invalid)
  const terms: string[] = []
  const indexOf = new Map<string, number>()
  const indices = (tokens: readonly string[]): number[] =>
    tokens.map((token) => {
      let index = indexOf.get(token)
      if (index === undefined) {
        index = terms.length
        terms.push(token)
        indexOf.set(token, index)
      }
      return index
    })
  const list = <T>(values: readonly T[], tokens: (value: T) => string[]): number[][] =>
    values.map((value) => indices(tokens(value))).filter((value) => value.length > 0)
  const entries = (field: readonly MailAddress[]) => field.slice(0, MAX_FIELD_VALUES)
  const address = (entry: MailAddress) => addressTokens(entry.name, entry.address)
  const person = (entry: MailAddress) => tokenize(`${entry.name} ${entry.address}`)
  return {
    v: 1,
    id,
    meta,
    terms,
    subject: indices(tokenize(doc.subject)),
    body: indices(tokenize(doc.body)),
    filenames: list(doc.filenames.slice(0, MAX_FIELD_VALUES), (name) => tokenize(name)),
    from: list(entries(doc.from), address),
    to: list(entries(doc.to), address),
    cc: list(entries(doc.cc), address),
    bcc: list(entries(doc.bcc), address),
    people: list(
      [...entries(doc.from), ...entries(doc.to), ...entries(doc.cc), ...entries(doc.bcc)],
      person,
    ),
  }
}

/** The token groups of a doc in field-bit order (see fields.ts). */
export function fieldGroups(doc: IndexedDoc): readonly (readonly (readonly number[])[])[] {
  return [[doc.subject], [doc.body], doc.filenames, doc.from, doc.to, doc.cc, doc.bcc, doc.people]
}

type Fail = (why: string) => MailboxError

/**
 * Checks an IndexedDoc read back from storage, where anything may have been written: throws
 * CORRUPT naming the first problem. Cost is linear in the doc.
 */
export function checkIndexedDoc(value: unknown): IndexedDoc {
  const corrupt: Fail = (why) => MailboxError.CORRUPT(`search document: ${why}`)
  if (!isRecord(value) || value.v !== 1) throw corrupt('unknown format version')
  checkId(value.id, corrupt)
  checkMeta(value.meta, corrupt)
  const { terms } = value
  if (!Array.isArray(terms)) throw corrupt('terms is not a list')
  const seen = new Set<string>()
  for (const term of terms as unknown[]) {
    if (typeof term !== 'string' || term === '' || term.length > MAX_TERM_LENGTH) {
      throw corrupt('a term is not a non-empty string of bounded length')
    }
    if (seen.has(term)) throw corrupt('a term is listed twice')
    seen.add(term)
  }
  const count = terms.length
  checkIndices(value.subject, count, corrupt)
  checkIndices(value.body, count, corrupt)
  for (const field of ['filenames', 'from', 'to', 'cc', 'bcc', 'people'] as const) {
    const values = value[field]
    if (!Array.isArray(values)) throw corrupt(`${field} is not a list`)
    for (const entry of values as unknown[]) checkIndices(entry, count, corrupt)
  }
  return value as unknown as IndexedDoc
}

function checkIndices(value: unknown, count: number, fail: Fail): void {
  if (!Array.isArray(value)) throw fail('a token list is not a list')
  for (const index of value as unknown[]) {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
      throw fail('a token index is out of range')
    }
  }
}

function checkId(id: unknown, fail: Fail): string {
  if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) {
    throw fail(`the id must be a string of 1 to ${MAX_ID_LENGTH} characters`)
  }
  return id
}

/** Checks and copies the metadata of a message (extra properties are left behind). */
export function checkMeta(value: unknown, fail: Fail): DocMeta {
  if (!isRecord(value)) throw fail('the metadata is not an object')
  const { folder, labels, seen, flagged, answered, hasAttachments, date, size } = value
  if (typeof folder !== 'string') throw fail('folder is not a string')
  if (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string')) {
    throw fail('labels is not a list of strings')
  }
  if (
    typeof seen !== 'boolean' ||
    typeof flagged !== 'boolean' ||
    typeof answered !== 'boolean' ||
    typeof hasAttachments !== 'boolean'
  ) {
    throw fail('a flag is not a boolean')
  }
  if (typeof date !== 'number' || !Number.isFinite(date)) throw fail('date is not a finite number')
  if (typeof size !== 'number' || !Number.isFinite(size) || size < 0) {
    throw fail('size is not a non-negative number')
  }
  return {
    folder,
    labels: [...labels],
    seen,
    flagged,
    answered,
    hasAttachments,
    date,
    size,
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
