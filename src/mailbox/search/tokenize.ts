import { MailboxError } from '../errors.js'

/**
 * Text → search tokens, shared by indexing and query parsing so both sides agree on every token.
 *
 * Folding: NFKD (ﬁ → fi, full-width → ASCII), lower case, drop non-spacing marks (café → cafe; the
 * kana voicing marks stay so が is not か), ς → σ and ß → ss, then NFC (which rebuilds Hangul
 * syllables and voiced kana). Words are runs of letters, digits and spacing marks (\p{Mc}: without
 * them Indic words would break at every vowel sign).
 *
 * Han, Hiragana, Katakana and Hangul runs have no spaces to split on, so each run becomes
 * overlapping bigrams (東京都 → 東京, 京都), the dictionary-free approach of Lucene's CJKBigramFilter; a
 * run of one character is kept as it is. Phrase positions count emitted tokens only (stop words
 * take no position).
 */

/** Tokens per call unless `maxTokens` says otherwise: plenty for real mail, bounded for hostile. */
export const DEFAULT_MAX_TOKENS = 10_000
/**
 * Shorter words are dropped, single digits included: a one-character token matches nearly every
 * message, so its posting list would be huge and select nothing. Queries drop them too, so searches
 * only widen.
 */
export const MIN_TOKEN_LENGTH = 2
/** Longer runs (base64, hex, hashes) are dropped: nobody types them and they bloat the index. */
export const MAX_TOKEN_LENGTH = 64

// prettier-ignore
/** English stop words (Lucene's EnglishAnalyzer set), dropped on the index and the query side. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it',
  'no', 'not', 'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they',
  'this', 'to', 'was', 'will', 'with',
])

/** Settings for {@link tokenize}. */
export interface TokenizeOptions {
  /** Stop after this many tokens; default {@link DEFAULT_MAX_TOKENS}. */
  maxTokens?: number
}

const STRIP = /(?![\u3099\u309a])\p{Mn}|[ςß]/gu
const WORD_CHAR = /[\p{L}\p{N}\p{Mc}]/u
const NOT_WORD = /[^\p{L}\p{N}\p{Mc}]+/u
const CJK_CHAR = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u
// Text is folded a piece at a time, so a 50 MB body costs only the pieces read before the cap.
const PIECE = 1 << 16
// Pieces end before a character nothing composes with or lower-cases differently across: ASCII
// other than [A-Za-z0-9_], kana, CJK ideographs, Hangul syllables. Folding such pieces separately
// gives the same text as folding the whole. Only text with no such character in WINDOW falls back
// to a plain cut.
const SAFE_CUT = /[^\w\x80-\uffff]|[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff\uac00-\ud7a3]/
const WINDOW = 4096
// Longest address worth splitting (RFC 3696 errata 1690); longer strings are not addresses.
const MAX_ADDRESS_LENGTH = 254
const MAX_NAME_LENGTH = 1_000
const SPACES = /\s+/

/** Why a scanned word is or is not a token. */
const enum Kind {
  Keep,
  /** A stop word or too short: dropped, except as the last word of a prefix query. */
  Weak,
  /** Too long: dropped always (its text is not passed on). */
  Long,
}
type Emit = (token: string, kind: Kind) => boolean

/**
 * Tokens for indexing one field of mail text, in text order with repeats (positions matter for
 * phrases). Linear in the input; reading stops at `maxTokens`.
 */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const max = options.maxTokens ?? DEFAULT_MAX_TOKENS
  if (!Number.isSafeInteger(max) || max < 0) {
    throw MailboxError.INVALID_ARGUMENT('maxTokens must be a non-negative integer')
  }
  const tokens: string[] = []
  if (max === 0) return tokens
  scan(text, (token, kind) => {
    if (kind === Kind.Keep) tokens.push(token)
    return tokens.length < max
  })
  return tokens
}

/**
 * Tokens of one query word or quoted phrase. With `prefix`, the last word is kept even when it is a
 * stop word or one character, since it is the start of a longer word being typed (`t*` → `t`,
 * `the*` → `the`).
 */
export function queryTokens(text: string, options: { prefix?: boolean } = {}): string[] {
  const words: { token: string; kind: Kind }[] = []
  scan(text, (token, kind) => words.push({ token, kind }) < DEFAULT_MAX_TOKENS)
  const last = words.length - 1
  return words
    .filter(
      ({ kind }, i) => kind === Kind.Keep || (options.prefix && i === last && kind === Kind.Weak),
    )
    .map(({ token }) => token)
}

/** The normalisation {@link tokenize} applies, on a single term without splitting it (trimmed). */
export function normalizeTerm(term: string): string {
  return fold(term).trim()
}

/**
 * Tokens for one From/To/Cc/Bcc entry. First the name's words as {@link tokenize} gives them, in
 * order (so `from:"Alice Smith"` matches as a phrase); then, each once, the name's space-separated
 * words whole (`jean-luc`, `山田太郎`), the address, its local part and that part's pieces, the
 * domain, every parent domain and each label. `alice.smith@mail.example.org` gives
 * `alice.smith@mail.example.org`, `alice.smith`, `alice`, `smith`, `mail.example.org`,
 * `example.org`, `mail`, `example`, `org`. These whole-value tokens are what
 * {@link addressQueryTerm} looks up; they skip the stop-word and length rules. An address without
 * `@` (a `pm1…` address) is one token.
 */
export function addressTokens(name: string, address: string): string[] {
  const tokens = tokenize(name)
  const seen = new Set(tokens)
  const add = (token: string) => {
    if (token !== '' && !seen.has(token)) {
      seen.add(token)
      tokens.push(token)
    }
  }
  // A longer "name" is not one; its words are still in the tokenize() part above.
  if (name.length <= MAX_NAME_LENGTH) {
    for (const word of name.split(SPACES)) add(addressQueryTerm(word))
  }
  const full = address.trim().length <= MAX_ADDRESS_LENGTH ? normalizeTerm(address) : ''
  add(full)
  const at = full.lastIndexOf('@')
  if (at < 0) return tokens
  const local = full.slice(0, at)
  add(local)
  local.split(NOT_WORD).forEach(add)
  const labels = full.slice(at + 1).split('.')
  for (let i = 0; i < labels.length - 1; i++) add(labels.slice(i).join('.'))
  for (const label of labels) {
    add(label)
    label.split(NOT_WORD).forEach(add)
  }
  return tokens
}

/**
 * The token a `from:`/`to:`/`cc:`/`bcc:` value is looked up as among {@link addressTokens}:
 * normalised whole, with punctuation around it trimmed (`<Bob@Example.com>` → `bob@example.com`).
 * Empty when nothing is left.
 */
export function addressQueryTerm(value: string): string {
  const chars = Array.from(normalizeTerm(value))
  let start = 0
  let end = chars.length
  while (start < end && !WORD_CHAR.test(chars[start] ?? '')) start++
  while (end > start && !WORD_CHAR.test(chars[end - 1] ?? '')) end--
  return chars.slice(start, end).join('')
}

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(STRIP, (mark) => (mark === 'ς' ? 'σ' : mark === 'ß' ? 'ss' : ''))
    .normalize('NFC')
}

/** Feeds every word of `text` to `emit` until it returns false. */
function scan(text: string, emit: Emit): void {
  const scanner = new Scanner(emit)
  for (let start = 0; start < text.length;) {
    const end = pieceEnd(text, start)
    if (!scanner.feed(fold(text.slice(start, end)))) return
    start = end
  }
  scanner.finish()
}

function pieceEnd(text: string, start: number): number {
  const nominal = start + PIECE
  if (nominal >= text.length) return text.length
  const found = text.slice(nominal, nominal + WINDOW).search(SAFE_CUT)
  if (found >= 0) return nominal + found
  const end = Math.min(nominal + WINDOW, text.length)
  const unit = text.charCodeAt(end)
  return unit >= 0xdc00 && unit <= 0xdfff ? end + 1 : end // never split a surrogate pair
}

const SEPARATOR = 1
const WORD = 2
const CJK = 3
// Character classes of the BMP, filled in as characters are first seen: one lookup per character
// after.
const classes = new Uint8Array(0x10000)

function classify(char: string): number {
  const code = char.length === 1 ? char.charCodeAt(0) : -1
  if (code >= 0 && classes[code] !== 0) return classes[code] ?? SEPARATOR
  // scx=Han also covers CJK punctuation (。「」), hence the letter/digit test first.
  const found = !WORD_CHAR.test(char) ? SEPARATOR : CJK_CHAR.test(char) ? CJK : WORD
  if (code >= 0) classes[code] = found
  return found
}

/**
 * Turns folded text into words and CJK bigrams, one character at a time (a regular expression over
 * a run of millions of letters can overflow V8's stack). State carries across pieces, so cuts split
 * no word. A word is cut out of the piece when it ends rather than built a character at a time, and
 * BMP characters are classed by table lookup without making a string of each: tokenizing is a good
 * part of what storing a message costs.
 */
class Scanner {
  /** The current word's characters from earlier pieces (only kept while it is short enough). */
  private word = ''
  private wordLength = 0
  private cjk = ''
  private cjkLength = 0

  constructor(private readonly emit: Emit) {}

  feed(piece: string): boolean {
    // Where the current word's characters in this piece begin; -1 while none are.
    let start = -1
    for (let i = 0; i < piece.length; i++) {
      const unit = piece.charCodeAt(i)
      const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < piece.length
      const kind = pair
        ? classify(piece.slice(i, i + 2))
        : classes[unit] || classify(piece.charAt(i))
      if (kind === WORD) {
        if (this.cjkLength > 0 && !this.endCjk()) return false
        if (start < 0) start = i
        this.wordLength++
      } else {
        if (this.wordLength > 0 && !this.endWord(start < 0 ? '' : piece.slice(start, i)))
          return false
        start = -1
        if (kind === CJK) {
          const char = pair ? piece.slice(i, i + 2) : piece.charAt(i)
          if (this.cjk !== '' && !this.emit(this.cjk + char, Kind.Keep)) return false
          this.cjk = char
          this.cjkLength++
        } else if (!this.endCjk()) {
          return false
        }
      }
      if (pair) i++
    }
    // Past the limit the word is dropped anyway, so its text is not carried.
    if (start >= 0 && this.wordLength <= MAX_TOKEN_LENGTH) this.word += piece.slice(start)
    return true
  }

  finish(): void {
    if (this.wordLength === 0 || this.endWord('')) this.endCjk()
  }

  /** Ends the current word, whose last characters (those in the current piece) are `tail`. */
  private endWord(tail: string): boolean {
    const { wordLength } = this
    const word = this.word + tail
    this.word = ''
    this.wordLength = 0
    if (wordLength > MAX_TOKEN_LENGTH) return this.emit('', Kind.Long)
    const weak = wordLength < MIN_TOKEN_LENGTH || STOP_WORDS.has(word)
    return this.emit(word, weak ? Kind.Weak : Kind.Keep)
  }

  /** A run of one CJK character is a token by itself; longer runs were emitted as bigrams. */
  private endCjk(): boolean {
    const single = this.cjkLength === 1
    const { cjk } = this
    this.cjk = ''
    this.cjkLength = 0
    return single ? this.emit(cjk, Kind.Keep) : true
  }
}
