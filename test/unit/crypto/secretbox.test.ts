import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  openSecretBox,
  randomBytes,
  sealSecretBox,
  SECRETBOX_OVERHEAD,
} from '../../../src/crypto/index.js'

const key = randomBytes(32)
const FAILED: unknown = expect.objectContaining({ code: 'SECRETBOX_OPEN_FAILED' })

describe('secretbox', () => {
  it('round-trips any plaintext and associated data', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.uint8Array({ maxLength: 64 }),
        (data, ad) => {
          const box = sealSecretBox(key, data, ad)
          expect(box.byteLength).toBe(data.byteLength + SECRETBOX_OVERHEAD)
          expect(openSecretBox(key, box, ad).equals(Buffer.from(data))).toBe(true)
        },
      ),
    )
  })

  it('uses a fresh nonce every time', () => {
    const a = sealSecretBox(key, Buffer.from('same'))
    const b = sealSecretBox(key, Buffer.from('same'))
    expect(a.subarray(0, 24).equals(b.subarray(0, 24))).toBe(false)
  })

  it('rejects every bit flip, the wrong key and the wrong associated data', () => {
    const box = sealSecretBox(key, Buffer.from('record 1'), Buffer.from('ad'))
    for (let i = 0; i < box.byteLength * 8; i++) {
      const t = Buffer.from(box)
      t[i >> 3]! ^= 1 << (i & 7)
      expect(() => openSecretBox(key, t, Buffer.from('ad'))).toThrow(FAILED)
    }
    expect(() => openSecretBox(randomBytes(32), box, Buffer.from('ad'))).toThrow(FAILED)
    expect(() => openSecretBox(key, box, Buffer.from('other'))).toThrow(FAILED)
    expect(() => openSecretBox(key, box)).toThrow(FAILED)
    expect(() => openSecretBox(key, box.subarray(0, 10), Buffer.from('ad'))).toThrow(FAILED)
  })

  it('decrypts into a caller buffer of exactly the right length', () => {
    const box = sealSecretBox(key, Buffer.from('in place'), Buffer.from('ad'))
    const out = Buffer.alloc(8)
    expect(openSecretBox(key, box, Buffer.from('ad'), out)).toBe(out)
    expect(out.toString()).toBe('in place')
    expect(() => openSecretBox(key, box, Buffer.from('ad'), Buffer.alloc(9))).toThrow(FAILED)
  })
})
