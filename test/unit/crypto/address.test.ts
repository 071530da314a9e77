import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import z32 from 'z32'
import {
  ADDRESS_LENGTH,
  decodeAddress,
  encodeAddress,
  isAddress,
} from '../../../src/crypto/index.js'
import { fromHex, vectors } from '../../helpers/vectors.js'
import { code, errorOf } from '../../helpers/errors.js'

const sample = vectors.accounts[1]!.address

describe('address', () => {
  it('round-trips any public key, with a fixed length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        const address = encodeAddress(key)
        expect(address).toHaveLength(ADDRESS_LENGTH)
        expect(address.startsWith('pm1')).toBe(true)
        expect(decodeAddress(address).equals(Buffer.from(key))).toBe(true)
      }),
    )
  })

  it('accepts upper case and surrounding white space', () => {
    const key = fromHex(vectors.accounts[1]!.identityPublicKey)
    expect(decodeAddress(`  ${sample.toUpperCase()}\n`).equals(key)).toBe(true)
  })

  it('rejects every single-character substitution in the body, never decoding another key', () => {
    for (const address of vectors.accounts.map((a) => a.address)) {
      for (let i = 3; i < address.length; i++) {
        for (const c of z32.ALPHABET) {
          if (c === address[i]) continue
          const typo = address.slice(0, i) + c + address.slice(i + 1)
          expect(code(errorOf(() => decodeAddress(typo)))).toBe('ADDRESS_CHECKSUM')
        }
      }
    }
  })

  it('rejects adjacent transpositions, truncation and extension', () => {
    for (let i = 3; i + 1 < sample.length; i++) {
      if (sample[i] === sample[i + 1]) continue
      const swapped = sample.slice(0, i) + sample[i + 1]! + sample[i]! + sample.slice(i + 2)
      expect(code(errorOf(() => decodeAddress(swapped)))).toBe('ADDRESS_CHECKSUM')
    }
    expect(code(errorOf(() => decodeAddress(sample.slice(0, -1))))).toBe('ADDRESS_FORMAT')
    expect(code(errorOf(() => decodeAddress(sample + 'y')))).toBe('ADDRESS_FORMAT')
  })

  it('rejects other formats with clear codes', () => {
    expect(code(errorOf(() => decodeAddress('pm2' + sample.slice(3))))).toBe('ADDRESS_VERSION')
    expect(code(errorOf(() => decodeAddress('xx1' + sample.slice(3))))).toBe('ADDRESS_FORMAT')
    expect(code(errorOf(() => decodeAddress(sample.slice(0, 10) + 'l' + sample.slice(11))))).toBe(
      'ADDRESS_FORMAT',
    )
    expect(code(errorOf(() => decodeAddress('')))).toBe('ADDRESS_FORMAT')
    expect(code(errorOf(() => decodeAddress(42 as unknown as string)))).toBe('ADDRESS_FORMAT')
    // A bare Hypercore-style z32 key (no prefix, no checksum) is not an address.
    expect(code(errorOf(() => decodeAddress(z32.encode(Buffer.alloc(32, 1)))))).toBe(
      'ADDRESS_FORMAT',
    )
    expect(isAddress(sample)).toBe(true)
    expect(isAddress(sample.slice(1))).toBe(false)
  })

  it('refuses to encode something that is not a 32-byte key', () => {
    expect(code(errorOf(() => encodeAddress(Buffer.alloc(33))))).toBe('INVALID_ARGUMENT')
  })
})
