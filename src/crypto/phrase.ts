import sodium from 'sodium-native'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { assertBytes, wipe } from './bytes.js'
import { CryptoError } from './errors.js'

/** Bytes in an account seed. The seed is the BIP39 entropy itself (see docs/protocol.md §1). */
export const SEED_BYTES = 32
/** Words in a recovery phrase: 256 bits of seed + 8 checksum bits, 11 bits a word. */
export const PHRASE_WORDS = 24

const WORD_INDEX = new Map(wordlist.map((word, i) => [word, i]))

/** Turns a 32-byte seed into its 24-word BIP39 (English) recovery phrase. */
export function seedToPhrase(seed: Uint8Array): string {
  assertBytes(seed, SEED_BYTES, 'seed')
  const bits = seedBits(seed)
  const words: string[] = []
  for (let i = 0; i < PHRASE_WORDS; i++) {
    words.push(wordAt(parseInt(bits.slice(i * 11, i * 11 + 11), 2)))
  }
  return words.join(' ')
}

/**
 * Recovers the seed from a recovery phrase. Case, surrounding and repeated white space are ignored.
 * Throws PHRASE_LENGTH, PHRASE_UNKNOWN_WORD (naming the word and a likely correction) or
 * PHRASE_CHECKSUM, so a mistyped phrase never restores a different account.
 */
export function phraseToSeed(phrase: string): Buffer {
  if (typeof phrase !== 'string') throw CryptoError.INVALID_ARGUMENT('phrase must be a string')
  const words = phrase.normalize('NFKD').toLowerCase().trim().split(/\s+/).filter(Boolean)
  if (words.length !== PHRASE_WORDS) throw CryptoError.PHRASE_LENGTH(words.length, PHRASE_WORDS)

  let bits = ''
  words.forEach((word, i) => {
    const index = WORD_INDEX.get(word)
    if (index === undefined) throw CryptoError.PHRASE_UNKNOWN_WORD(i + 1, word, suggestWord(word))
    bits += index.toString(2).padStart(11, '0')
  })

  const seed = Buffer.alloc(SEED_BYTES)
  for (let i = 0; i < SEED_BYTES; i++) seed[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2)
  const expected = seedBits(seed).slice(SEED_BYTES * 8)
  if (bits.slice(SEED_BYTES * 8) !== expected) {
    wipe(seed)
    throw CryptoError.PHRASE_CHECKSUM()
  }
  return seed
}

/** True when `word` is in the recovery word list (for input fields that check as you type). */
export function isPhraseWord(word: string): boolean {
  return WORD_INDEX.has(word.toLowerCase())
}

// The seed's 256 bits followed by the first 8 bits of SHA-256(seed), as a bit string.
function seedBits(seed: Uint8Array): string {
  const hash = Buffer.alloc(sodium.crypto_hash_sha256_BYTES)
  sodium.crypto_hash_sha256(hash, seed)
  let bits = ''
  for (const byte of seed) bits += byte.toString(2).padStart(8, '0')
  return bits + (hash[0] ?? 0).toString(2).padStart(8, '0')
}

function wordAt(index: number): string {
  const word = wordlist[index]
  if (word === undefined) throw new Error(`word index ${index} out of range`)
  return word
}

// BIP39 words are unique in their first four letters, so a unique prefix match is the best guess;
// otherwise the nearest word within two edits, when there is exactly one.
function suggestWord(word: string): string | undefined {
  if (word.length >= 4) {
    const prefixed = wordlist.filter((w) => w.startsWith(word.slice(0, 4)))
    if (prefixed.length === 1) return prefixed[0]
  }
  const MAX_EDITS = 2
  let best: string[] = []
  let bestDistance = MAX_EDITS + 1
  for (const candidate of wordlist) {
    const d = editDistance(word, candidate, MAX_EDITS)
    if (d < bestDistance) [best, bestDistance] = [[candidate], d]
    else if (d === bestDistance) best.push(candidate)
  }
  return bestDistance <= MAX_EDITS && best.length === 1 ? best[0] : undefined
}

// Levenshtein distance, giving up early once every path exceeds `limit`.
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      )
      current.push(value)
      rowMin = Math.min(rowMin, value)
    }
    if (rowMin > limit) return limit + 1
    previous = current
  }
  return previous[b.length] ?? limit + 1
}
