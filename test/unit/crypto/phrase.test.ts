import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  generateSeed,
  isPhraseWord,
  phraseToSeed,
  seedToPhrase,
} from '../../../src/crypto/index.js'
import { fromHex, vectors } from '../../helpers/vectors.js'

// Published BIP39 (English) vectors for 256-bit entropy: the phrase encoding is standard BIP39.
const BIP39 = [
  ['00'.repeat(32), `${'abandon '.repeat(23)}art`],
  [
    '7f'.repeat(32),
    'legal winner thank year wave sausage worth useful '
      .repeat(3)
      .trim()
      .replace(/useful$/, 'title'),
  ],
  [
    '80'.repeat(32),
    'letter advice cage absurd amount doctor acoustic avoid '
      .repeat(3)
      .trim()
      .replace(/avoid$/, 'bless'),
  ],
  ['ff'.repeat(32), `${'zoo '.repeat(23)}vote`],
] as const

describe('recovery phrase', () => {
  it.each(BIP39)('matches the BIP39 vector for %s', (entropy, phrase) => {
    expect(seedToPhrase(fromHex(entropy))).toBe(phrase)
    expect(phraseToSeed(phrase).toString('hex')).toBe(entropy)
  })

  it('matches the committed vectors', () => {
    for (const account of vectors.accounts) {
      expect(seedToPhrase(fromHex(account.seed))).toBe(account.phrase)
      expect(phraseToSeed(account.phrase).toString('hex')).toBe(account.seed)
    }
  })

  it('round-trips any seed, ignoring case and extra white space', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const phrase = seedToPhrase(bytes)
        expect(phrase.split(' ')).toHaveLength(24)
        const messy = `  ${phrase.toUpperCase().replaceAll(' ', ' \n\t ')}  `
        expect(phraseToSeed(messy).equals(Buffer.from(bytes))).toBe(true)
      }),
    )
  })

  it('generates distinct 32-byte seeds', () => {
    const a = generateSeed()
    const b = generateSeed()
    expect(a).toHaveLength(32)
    expect(a.equals(b)).toBe(false)
  })

  it('rejects a wrong word count', () => {
    const words = seedToPhrase(generateSeed()).split(' ')
    expect(() => phraseToSeed(words.slice(0, 23).join(' '))).toThrow(
      expect.objectContaining({ code: 'PHRASE_LENGTH' }),
    )
    expect(() => phraseToSeed([...words, 'zoo'].join(' '))).toThrow(
      expect.objectContaining({ code: 'PHRASE_LENGTH' }),
    )
    expect(() => phraseToSeed('')).toThrow(expect.objectContaining({ code: 'PHRASE_LENGTH' }))
  })

  it('names a mistyped word and suggests the right one', () => {
    const words = vectors.accounts[1]!.phrase.split(' ')
    const typo = [...words]
    typo[4] = 'expier' // "expire"
    let error: unknown
    try {
      phraseToSeed(typo.join(' '))
    } catch (err) {
      error = err
    }
    expect(error).toMatchObject({ code: 'PHRASE_UNKNOWN_WORD' })
    expect((error as Error).message).toContain('Word 5')
    expect((error as Error).message).toContain('"expire"')
  })

  it('catches a valid word in the wrong place through the checksum', () => {
    const seed = fromHex(vectors.accounts[1]!.seed)
    const words = seedToPhrase(seed).split(' ')
    let caught = 0
    let total = 0
    // Swap every adjacent pair of distinct words: each swap must be refused, never a different seed.
    for (let i = 0; i + 1 < words.length; i++) {
      if (words[i] === words[i + 1]) continue
      const swapped = [...words]
      ;[swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!]
      total++
      try {
        const other = phraseToSeed(swapped.join(' '))
        expect(other.equals(seed)).toBe(false)
      } catch (err) {
        expect(err).toMatchObject({ code: 'PHRASE_CHECKSUM' })
        caught++
      }
    }
    // An 8-bit checksum misses 1 in 256 changes; with 23 swaps almost all must be caught.
    expect(caught).toBeGreaterThanOrEqual(total - 2)
  })

  it('rejects the last word replaced by another valid word with a coded error', () => {
    const words = vectors.accounts[0]!.phrase.split(' ')
    words[23] = 'abandon'
    expect(() => phraseToSeed(words.join(' '))).toThrow(
      expect.objectContaining({ code: 'PHRASE_CHECKSUM' }),
    )
  })

  it('knows its word list', () => {
    expect(isPhraseWord('abandon')).toBe(true)
    expect(isPhraseWord('Zoo')).toBe(true)
    expect(isPhraseWord('peermail')).toBe(false)
  })

  it('rejects a seed of the wrong size', () => {
    expect(() => seedToPhrase(Buffer.alloc(31))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})
