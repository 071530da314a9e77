import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  DEFAULT_MAX_TOKENS,
  MAX_TOKEN_LENGTH,
  STOP_WORDS,
  addressQueryTerm,
  addressTokens,
  normalizeTerm,
  queryTokens,
  tokenize,
} from '../../../../src/mailbox/search/index.js'
import { code, errorOf } from '../../../helpers/errors.js'

describe('tokenize', () => {
  it('folds diacritics, ligatures, width and case', () => {
    expect(tokenize('Café Naïve RÉSUMÉ Ångström')).toEqual(['cafe', 'naive', 'resume', 'angstrom'])
    expect(tokenize('ﬁle ＡＢＣ Ｑ３')).toEqual(['file', 'abc', 'q3'])
    expect(tokenize('Straße STRASSE')).toEqual(['strasse', 'strasse'])
    // Final sigma folds to σ, so the word matches however it was cased.
    expect(tokenize('ΟΔΟΣ οδος Οδοσ')).toEqual(['οδοσ', 'οδοσ', 'οδοσ'])
    expect(tokenize('İstanbul')).toEqual(['istanbul'])
  })

  it('splits on punctuation and drops stop words and one-character words', () => {
    expect(tokenize('Hello, world! (re-sent) -- ok?')).toEqual([
      'hello',
      'world',
      're',
      'sent',
      'ok',
    ])
    expect(tokenize('The end of the story is near, and it is a good one')).toEqual([
      'end',
      'story',
      'near',
      'good',
      'one',
    ])
    expect(STOP_WORDS.has('the')).toBe(true)
    expect(STOP_WORDS.size).toBeGreaterThanOrEqual(30)
  })

  it('splits e-mail addresses, URLs and numbers into their words', () => {
    expect(tokenize('Write to alice.smith@example.org today')).toEqual([
      'write',
      'alice',
      'smith',
      'example',
      'org',
      'today',
    ])
    expect(tokenize('https://www.example.org/a/path?id=42&x=y')).toEqual([
      'https',
      'www',
      'example',
      'org',
      'path',
      'id',
      '42',
    ])
    // Single digits go like single letters: "7" and the "1" of 1,234 are not tokens.
    expect(tokenize('Invoice 2026-0042: 1,234.56 EUR for 7 items')).toEqual([
      'invoice',
      '2026',
      '0042',
      '234',
      '56',
      'eur',
      'items',
    ])
  })

  it('turns CJK runs into overlapping bigrams', () => {
    expect(tokenize('東京都')).toEqual(['東京', '京都'])
    expect(tokenize('日')).toEqual(['日'])
    expect(tokenize('東京。大阪')).toEqual(['東京', '大阪'])
    expect(tokenize('한국어 텍스트')).toEqual(['한국', '국어', '텍스', '스트'])
    expect(tokenize('iPhone買った')).toEqual(['iphone', '買っ', 'った'])
    // Half-width katakana widens; the voicing mark stays, so が is not か.
    expect(tokenize('ｶﾀｶﾅ')).toEqual(['カタ', 'タカ', 'カナ'])
    expect(tokenize('がか')).toEqual(['がか'])
    expect(tokenize('2026年')).toEqual(['2026', '年'])
  })

  it('keeps words up to 64 characters and drops longer ones', () => {
    const max = 'x'.repeat(MAX_TOKEN_LENGTH)
    expect(tokenize(`${max} ${max}y ok`)).toEqual([max, 'ok'])
    const base64 = Buffer.alloc(300, 7).toString('base64')
    expect(tokenize(`attached ${base64} file`)).toEqual(['attached', 'file'])
  })

  it('stops at maxTokens, default 10,000, even for a 50 MB body', () => {
    expect(tokenize('one two three four', { maxTokens: 2 })).toEqual(['one', 'two'])
    expect(tokenize('one two', { maxTokens: 0 })).toEqual([])
    const body = 'lorem ipsum '.repeat(4_200_000)
    expect(body.length).toBeGreaterThan(50_000_000)
    const tokens = tokenize(body)
    expect(tokens).toHaveLength(DEFAULT_MAX_TOKENS)
    expect(tokens.slice(0, 3)).toEqual(['lorem', 'ipsum', 'lorem'])
  })

  it('gets through hostile input with no separators', () => {
    // A multi-megabyte run of two-byte letters overflows V8's stack in a /[\p{L}]+/ match.
    expect(tokenize(`${'д'.repeat(5_000_000)} конец`)).toEqual(['конец'])
    expect(tokenize('!'.repeat(5_000_000))).toEqual([])
    expect(tokenize('東'.repeat(3_000_000))).toHaveLength(DEFAULT_MAX_TOKENS)
  })

  it('gives the same tokens when long text is read in pieces', () => {
    // No ASCII or CJK character to cut at: the pieces are cut mid-word and the word must survive.
    const words = 'слово—'.repeat(30_000)
    const tokens = tokenize(words, { maxTokens: 1_000_000 })
    expect(tokens).toHaveLength(30_000)
    expect(new Set(tokens)).toEqual(new Set(['слово']))
    expect(tokenize('日本'.repeat(50_000), { maxTokens: 1_000_000 })).toHaveLength(99_999)
  })

  it('rejects a bad maxTokens', () => {
    expect(code(errorOf(() => tokenize('x', { maxTokens: -1 })))).toBe('INVALID_ARGUMENT')
    expect(code(errorOf(() => tokenize('x', { maxTokens: 1.5 })))).toBe('INVALID_ARGUMENT')
  })

  it('emits only normalised, bounded, indexable tokens that re-tokenize to themselves', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const tokens = tokenize(text)
        for (const token of tokens) {
          expect(token).not.toBe('')
          expect(Array.from(token).length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH)
          expect(STOP_WORDS.has(token)).toBe(false)
          expect(normalizeTerm(token)).toBe(token)
        }
        expect(tokenize(tokens.join(' '))).toEqual(tokens)
      }),
      { numRuns: 500 },
    )
  })
})

describe('queryTokens', () => {
  it('tokenizes like tokenize, keeping a weak last word when it is a prefix', () => {
    expect(queryTokens('Quarterly Report')).toEqual(['quarterly', 'report'])
    expect(queryTokens('the')).toEqual([])
    expect(queryTokens('the', { prefix: true })).toEqual(['the'])
    expect(queryTokens('report t', { prefix: true })).toEqual(['report', 't'])
    expect(queryTokens('a report', { prefix: true })).toEqual(['report'])
  })
})

describe('addressQueryTerm', () => {
  it('normalises a whole address-field value, trimming punctuation around it', () => {
    expect(addressQueryTerm('<Bob@Example.COM>')).toBe('bob@example.com')
    expect(addressQueryTerm('"Jean-Luc",')).toBe('jean-luc')
    expect(addressQueryTerm('***')).toBe('')
  })
})

describe('normalizeTerm', () => {
  it('folds one term without splitting it', () => {
    expect(normalizeTerm('  Café ')).toBe('cafe')
    expect(normalizeTerm('Alice.Smith@Example.ORG')).toBe('alice.smith@example.org')
  })
})

describe('addressTokens', () => {
  it('indexes the name, the address and each of its parts', () => {
    const tokens = addressTokens('Alice Smith', 'alice.smith@mail.example.org')
    expect(tokens.slice(0, 2)).toEqual(['alice', 'smith'])
    expect(new Set(tokens)).toEqual(
      new Set([
        'alice.smith@mail.example.org',
        'alice',
        'smith',
        'alice.smith',
        'mail.example.org',
        'example.org',
        'mail',
        'example',
        'org',
      ]),
    )
    expect(new Set(tokens).size).toBe(tokens.length)
  })

  it('also keeps whole name words, for hyphenated and CJK names', () => {
    expect(addressTokens('Jean-Luc Picard', 'jl@example.org')).toEqual([
      'jean',
      'luc',
      'picard',
      'jean-luc',
      'jl@example.org',
      'jl',
      'example.org',
      'example',
      'org',
    ])
    expect(addressTokens('山田太郎', '')).toEqual(['山田', '田太', '太郎', '山田太郎'])
    expect(addressTokens('"Smith, Alice"', '')).toEqual(['smith', 'alice'])
  })

  it('folds case and diacritics like queries do', () => {
    const tokens = addressTokens('José Núñez', 'José.Núñez@Correo.Example.ES')
    expect(tokens).toEqual(
      expect.arrayContaining(['jose', 'nunez', 'jose.nunez@correo.example.es', 'example.es']),
    )
    expect(tokens).toContain(normalizeTerm('JOSE.NUNEZ@correo.example.es'))
  })

  it('splits tagged local parts and hyphenated labels, keeping short parts', () => {
    expect(addressTokens('', 'bob+news@my-company.io')).toEqual([
      'bob+news@my-company.io',
      'bob+news',
      'bob',
      'news',
      'my-company.io',
      'my-company',
      'my',
      'company',
      'io',
    ])
    expect(addressTokens('', 'x@y.z')).toEqual(['x@y.z', 'x', 'y.z', 'y', 'z'])
  })

  it('keeps an address without @ whole, and ignores what cannot be an address', () => {
    expect(addressTokens('Bob', 'pm1YBNDRFG8EJKMCPQXOT1UWISZA345H769')).toEqual([
      'bob',
      'pm1ybndrfg8ejkmcpqxot1uwisza345h769',
    ])
    expect(addressTokens('', '')).toEqual([])
    // Whole name words skip the stop-word rule, so from:the finds "The Team".
    expect(addressTokens('The Team', `${'a'.repeat(300)}@example.org`)).toEqual(['team', 'the'])
  })
})
