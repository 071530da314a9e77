import type { SearchDoc } from '../../../../src/mailbox/search/engine.js'
import type { MailAddress } from '../../../../src/mailbox/mime/types.js'

/**
 * Deterministic synthetic mail for scale tests and benchmarks: a Zipf-like vocabulary of made-up
 * words, a few thousand correspondents, bodies of 80–400 words by default (about 200 distinct
 * tokens a message with the addresses), folders, labels, flags and dates spread over five years.
 */

// prettier-ignore
const SYLLABLES = [
  'ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'br', 'st', 'an', 'el', 'or',
  'ix', 'um', 'dr', 'gl', 'th', 'sh', 'ch', 'wy',
]
export const FOLDERS = ['inbox', 'archive', 'sent', 'drafts', 'spam', 'trash'] as const
export const LABELS = ['work', 'family', 'travel', 'receipts', 'urgent'] as const
const START = Date.UTC(2021, 0, 1)
const SPAN = 5 * 365 * 86_400_000

/** mulberry32: small, fast and good enough to spread synthetic data. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Word number `i` of the vocabulary: distinct for every i, two to five syllables. */
export function word(i: number): string {
  let text = ''
  let n = i
  do {
    text += SYLLABLES[n % SYLLABLES.length] ?? ''
    n = Math.floor(n / SYLLABLES.length)
  } while (n > 0)
  return text.length < 4 ? `${text}x${text}` : text
}

export interface SyntheticCorpus {
  next(): SearchDoc
}

/** Sizes of a {@link syntheticCorpus}. */
export interface SyntheticOptions {
  /** Distinct words; default 60,000. */
  vocabulary?: number
  /** Correspondents; default 5,000. */
  people?: number
  /** Body length in words, from `minWords` to `maxWords`; default 80 to 400. */
  minWords?: number
  maxWords?: number
}

/** A stream of messages. */
export function syntheticCorpus(seed: number, options: SyntheticOptions = {}): SyntheticCorpus {
  const { vocabulary = 60_000, people = 5_000, minWords = 80, maxWords = 400 } = options
  const rand = random(seed)
  const words = Array.from({ length: vocabulary }, (_, i) => word(i))
  // Log-uniform ranks give a Zipf(1)-like frequency curve.
  const pick = () => words[Math.floor(Math.exp(rand() * Math.log(vocabulary))) - 1] ?? 'none'
  const contacts: MailAddress[] = Array.from({ length: people }, (_, i) => ({
    name: `${word(i * 7 + 3)} ${word(i * 13 + 5)}`,
    address: `${word(i * 7 + 3)}.${word(i)}@${word(i % 300)}.example.org`,
  }))
  const contact = () =>
    contacts[Math.floor(Math.pow(rand(), 2) * people)] ?? { name: '', address: '' }
  const sentence = (n: number) => Array.from({ length: n }, pick).join(' ')
  let n = 0
  return {
    next(): SearchDoc {
      const id = `m${String(n++).padStart(25, '0')}`
      const attachments = rand() < 0.2
      return {
        id,
        folder: FOLDERS[Math.floor(Math.pow(rand(), 3) * FOLDERS.length)] ?? 'inbox',
        labels: LABELS.filter(() => rand() < 0.08),
        seen: rand() < 0.8,
        flagged: rand() < 0.05,
        answered: rand() < 0.2,
        hasAttachments: attachments,
        date: START + Math.floor(rand() * SPAN),
        size: 1_000 + Math.floor(rand() * 200_000),
        subject: sentence(3 + Math.floor(rand() * 6)),
        body: sentence(minWords + Math.floor(rand() * (maxWords - minWords))),
        from: [contact()],
        to: Array.from({ length: 1 + Math.floor(rand() * 3) }, contact),
        cc: rand() < 0.3 ? [contact()] : [],
        bcc: [],
        filenames: attachments ? [`${pick()}-${pick()}.pdf`] : [],
      }
    },
  }
}
