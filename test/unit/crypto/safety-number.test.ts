import { describe, expect, it } from 'vitest'
import {
  fingerprint,
  identityNumber,
  safetyCode,
  safetyNumber,
  verifySafetyCode,
} from '../../../src/crypto/index.js'
import { makeAccount } from '../../helpers/accounts.js'

const a = makeAccount().identity.publicKey
const b = makeAccount().identity.publicKey
const c = makeAccount().identity.publicKey

describe('safety number', () => {
  it('is the same from both sides, 60 digits in groups of five', () => {
    const number = safetyNumber(a, b)
    expect(number).toBe(safetyNumber(b, a))
    expect(number).toMatch(/^(\d{5} ){11}\d{5}$/)
  })

  it("is made of both sides' identity numbers, so each person can read out their own half", () => {
    const number = safetyNumber(a, b)
    expect(identityNumber(a)).toMatch(/^(\d{5} ){5}\d{5}$/)
    const halves = [number.slice(0, 35), number.slice(36)]
    expect(halves.sort()).toEqual([identityNumber(a), identityNumber(b)].sort())
  })

  it('differs when either key differs', () => {
    expect(safetyNumber(a, c)).not.toBe(safetyNumber(a, b))
    expect(safetyNumber(c, b)).not.toBe(safetyNumber(a, b))
  })

  it('has a compact QR code that verifies only for the same pair', () => {
    const code = safetyCode(a, b)
    expect(code).toBe(safetyCode(b, a))
    expect(code.length).toBeLessThan(140)
    expect(verifySafetyCode(code, b, a)).toBe(true)
    expect(verifySafetyCode(code, a, c)).toBe(false)
    expect(verifySafetyCode(code.slice(0, -1) + (code.endsWith('y') ? 'b' : 'y'), a, b)).toBe(false)
    expect(verifySafetyCode('garbage', a, b)).toBe(false)
  })

  it('fingerprints are deterministic per key', () => {
    expect(fingerprint(a).equals(fingerprint(Buffer.from(a)))).toBe(true)
    expect(fingerprint(a).equals(fingerprint(b))).toBe(false)
    expect(() => fingerprint(Buffer.alloc(3))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})
