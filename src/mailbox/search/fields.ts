import type { TermField } from './query.js'

/*
 * The fields a term is indexed in, one bit each. A posting carries the bits of the fields that hold
 * its term in its message; the bit order is also the order of the token groups in an IndexedDoc
 * and in a stored token sequence.
 */
export const SUBJECT = 1 << 0
export const BODY = 1 << 1
export const FILENAME = 1 << 2
export const FROM = 1 << 3
export const TO = 1 << 4
export const CC = 1 << 5
export const BCC = 1 << 6
/** Sender and recipient entries as `tokenize(name + ' ' + address)`: their share of `any`. */
export const PEOPLE = 1 << 7
/** Number of field bits (and of token groups per document). */
export const FIELD_COUNT = 8

/** What `any` searches, and what counts toward a message's length in BM25. */
export const ANY = SUBJECT | BODY | FILENAME | PEOPLE

const FIELD_MASKS = new Map<string, number>([
  ['any', ANY],
  ['subject', SUBJECT],
  ['filename', FILENAME],
  ['from', FROM],
  // `to:` means any recipient (query.ts): To, Cc or Bcc.
  ['to', TO | CC | BCC],
  ['cc', CC],
  ['bcc', BCC],
])

/** The field bits a query field searches; 0 (nothing) for a field this version does not know. */
export function fieldMask(field: TermField): number {
  return FIELD_MASKS.get(field) ?? 0
}

/** Ranking weight per field bit, in bit order: subject ×3, addresses ×2, filename ×1.5, body ×1. */
const FIELD_WEIGHTS = [3, 1, 1.5, 2, 2, 2, 2, 2] as const

/**
 * Body repeats past this add nothing to a BM25 score worth having (the curve is flat long before);
 * the cap keeps a posting value under 2^18, three varint bytes at most.
 */
export const MAX_BODY_TF = 1024

/**
 * A posting value: the field bits in the low byte and, when BODY is among them, the term's count
 * in the body minus one above them. Only body repeats are counted: a word twice in a subject or an
 * address says little more than once, and leaving those out keeps most values to one byte.
 */
export function postingValue(mask: number, bodyTf: number): number {
  if ((mask & BODY) === 0) return mask
  return mask | ((Math.min(Math.max(bodyTf, 1), MAX_BODY_TF) - 1) << 8)
}

/** The most common value (body only, once), which postings store without a value varint. */
export const PLAIN_VALUE = BODY

/** True for a value {@link postingValue} can produce: some field bit, a count only with BODY. */
export function isPostingValue(value: number): boolean {
  const mask = value & 0xff
  if (mask === 0 || value < 0) return false
  return (mask & BODY) !== 0 ? value >>> 8 < MAX_BODY_TF : value === mask
}

/**
 * The weighted term frequency of a posting for an atom that searches `fields` (BM25F style): the
 * weights of the matched short fields, plus the body count when the body is searched.
 */
export class FieldWeights {
  private readonly shortFields = new Float64Array(256)
  private readonly body: boolean

  constructor(fields: number) {
    this.body = (fields & BODY) !== 0
    for (let mask = 1; mask < 256; mask++) {
      let weight = 0
      for (let bit = 0; bit < FIELD_COUNT; bit++) {
        const flag = 1 << bit
        if (flag !== BODY && (mask & fields & flag) !== 0) weight += FIELD_WEIGHTS[bit] ?? 0
      }
      this.shortFields[mask] = weight
    }
  }

  of(value: number): number {
    const mask = value & 0xff
    const short = this.shortFields[mask] ?? 0
    return this.body && (mask & BODY) !== 0 ? short + (value >>> 8) + 1 : short
  }
}
