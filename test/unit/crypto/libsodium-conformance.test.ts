// Conformance of libsodium (through sodium-native) with the published standards Peermail relies on:
// known-answer vectors from the standards documents, edge cases the standards call out, and
// differential tests against an independent implementation (@noble/*).
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { blake2b, type Blake2Opts } from '@noble/hashes/blake2.js'
import fc from 'fast-check'
import sodium from 'sodium-native'
import { describe, expect, it } from 'vitest'

import vectors from '../../fixtures/vectors/rfc-vectors.json' with { type: 'json' }

const NUM_RUNS = 100

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function fromHex(hex: string): Buffer {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new Error(`bad hex: ${hex}`)
  return Buffer.from(hex, 'hex')
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** A copy of `bytes` with bit `bit` (0 = least significant bit of byte 0) inverted. */
function flipBit(bytes: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(bytes)
  const index = bit >> 3
  const byte = copy[index]
  if (byte === undefined) throw new RangeError(`bit ${bit} is outside a ${copy.length}-byte buffer`)
  copy[index] = byte ^ (1 << (bit & 7))
  return copy
}

function bitIndices(bytes: Uint8Array): number[] {
  return Array.from({ length: bytes.length * 8 }, (_, i) => i)
}

function leBytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0)
  return n
}

function bigIntToLeBytes(n: bigint, length: number): Buffer {
  if (n < 0n || n >= 1n << BigInt(8 * length)) throw new RangeError(`${n} does not fit`)
  const out = Buffer.alloc(length)
  let rest = n
  for (let i = 0; i < length; i++) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}

function u64le(n: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true)
  return out
}

function zeroPadTo16(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(16)
  out.set(bytes)
  return out
}

function signSeeded(
  seed: Uint8Array,
  message: Uint8Array,
): { pk: Buffer; sk: Buffer; sig: Buffer } {
  const pk = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES)
  const sk = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES)
  sodium.crypto_sign_seed_keypair(pk, sk, seed)
  const sig = Buffer.alloc(sodium.crypto_sign_BYTES)
  sodium.crypto_sign_detached(sig, message, sk)
  return { pk, sk, sig }
}

function x25519Base(scalar: Uint8Array): Buffer {
  const q = Buffer.alloc(sodium.crypto_scalarmult_BYTES)
  sodium.crypto_scalarmult_base(q, scalar)
  return q
}

function x25519Shared(scalar: Uint8Array, point: Uint8Array): Buffer {
  const q = Buffer.alloc(sodium.crypto_scalarmult_BYTES)
  sodium.crypto_scalarmult(q, scalar, point)
  return q
}

function aeadEncrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, m: Uint8Array): Buffer {
  const c = Buffer.alloc(m.length + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES)
  const written = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(c, m, aad, null, nonce, key)
  expect(written).toBe(c.length)
  return c
}

/** Throws when authentication fails. */
function aeadDecrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, c: Uint8Array): Buffer {
  const m = Buffer.alloc(c.length - sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES)
  const written = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(m, null, c, aad, nonce, key)
  expect(written).toBe(m.length)
  return m
}

function genericHash(outLength: number, input: Uint8Array, key?: Uint8Array): Buffer {
  const out = Buffer.alloc(outLength)
  if (key === undefined) sodium.crypto_generichash(out, input)
  else sodium.crypto_generichash(out, input, key)
  return out
}

const bytes = (length: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: length, maxLength: length })

// Ed25519 group order, RFC 8032 §5.1: L = 2^252 + 27742317777372353535851937790883648493.
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n

// ---------------------------------------------------------------------------------------------
// 0. Sizes fixed by the standards (the tests below depend on them)
// ---------------------------------------------------------------------------------------------

describe('libsodium constants match the standards', () => {
  it('uses the sizes fixed by RFC 8032, RFC 7748, RFC 7693 and the XChaCha draft', () => {
    expect(sodium.crypto_sign_SEEDBYTES).toBe(32)
    expect(sodium.crypto_sign_PUBLICKEYBYTES).toBe(32)
    expect(sodium.crypto_sign_SECRETKEYBYTES).toBe(64)
    expect(sodium.crypto_sign_BYTES).toBe(64)
    expect(sodium.crypto_scalarmult_BYTES).toBe(32)
    expect(sodium.crypto_scalarmult_SCALARBYTES).toBe(32)
    expect(sodium.crypto_generichash_BYTES_MIN).toBe(16)
    expect(sodium.crypto_generichash_BYTES_MAX).toBe(64)
    expect(sodium.crypto_kdf_KEYBYTES).toBe(32)
    expect(sodium.crypto_kdf_CONTEXTBYTES).toBe(8)
    expect(sodium.crypto_hash_sha256_BYTES).toBe(32)
    expect(sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES).toBe(32)
    expect(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES).toBe(24)
    expect(sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES).toBe(16)
  })
})

// ---------------------------------------------------------------------------------------------
// 1. Known-answer vectors from the standards (test/fixtures/vectors/rfc-vectors.json)
// ---------------------------------------------------------------------------------------------

describe('known-answer vectors', () => {
  it('has every vector group populated', () => {
    expect(vectors.ed25519).toHaveLength(3)
    expect(vectors.x25519).toHaveLength(1)
    expect(vectors.xchacha20poly1305).toHaveLength(1)
    expect(vectors.blake2b).toHaveLength(1)
    expect(vectors.sha256).toHaveLength(1)
  })

  describe.each(vectors.ed25519)('Ed25519: $source', (v) => {
    const seed = fromHex(v.secretKeySeed)
    const message = fromHex(v.message)

    it('derives the public key from the seed', () => {
      const { pk, sk } = signSeeded(seed, message)
      expect(toHex(pk)).toBe(v.publicKey)
      // libsodium's documented secret-key layout: seed || public key.
      expect(toHex(sk)).toBe(v.secretKeySeed + v.publicKey)
    })

    it('produces the published signature', () => {
      expect(toHex(signSeeded(seed, message).sig)).toBe(v.signature)
    })

    it('verifies the published signature', () => {
      const ok = sodium.crypto_sign_verify_detached(
        fromHex(v.signature),
        message,
        fromHex(v.publicKey),
      )
      expect(ok).toBe(true)
    })
  })

  describe.each(vectors.x25519)('X25519: $source', (v) => {
    it('computes both public keys with crypto_scalarmult_base', () => {
      expect(toHex(x25519Base(fromHex(v.alicePrivate)))).toBe(v.alicePublic)
      expect(toHex(x25519Base(fromHex(v.bobPrivate)))).toBe(v.bobPublic)
    })

    it('computes the shared secret from both sides with crypto_scalarmult', () => {
      expect(toHex(x25519Shared(fromHex(v.alicePrivate), fromHex(v.bobPublic)))).toBe(
        v.sharedSecret,
      )
      expect(toHex(x25519Shared(fromHex(v.bobPrivate), fromHex(v.alicePublic)))).toBe(
        v.sharedSecret,
      )
    })
  })

  describe.each(vectors.xchacha20poly1305)('XChaCha20-Poly1305: $source', (v) => {
    const key = fromHex(v.key)
    const nonce = fromHex(v.nonce)
    const aad = fromHex(v.aad)
    const plaintext = fromHex(v.plaintext)

    it('has a plaintext matching its text form', () => {
      expect(plaintext.toString('utf8')).toBe(v.plaintextUtf8)
    })

    it('encrypts to the published ciphertext and tag', () => {
      const sealed = aeadEncrypt(key, nonce, aad, plaintext)
      expect(toHex(sealed.subarray(0, plaintext.length))).toBe(v.ciphertext)
      expect(toHex(sealed.subarray(plaintext.length))).toBe(v.tag)
    })

    it('decrypts the published ciphertext and tag', () => {
      const opened = aeadDecrypt(key, nonce, aad, fromHex(v.ciphertext + v.tag))
      expect(opened.toString('utf8')).toBe(v.plaintextUtf8)
    })
  })

  describe.each(vectors.blake2b)('BLAKE2b: $source', (v) => {
    it('crypto_generichash gives the published digest', () => {
      expect(toHex(genericHash(v.outputLength, fromHex(v.input)))).toBe(v.digest)
    })
  })

  describe.each(vectors.sha256)('SHA-256: $source', (v) => {
    it('crypto_hash_sha256 gives the published digest', () => {
      const out = Buffer.alloc(sodium.crypto_hash_sha256_BYTES)
      sodium.crypto_hash_sha256(out, fromHex(v.input))
      expect(toHex(out)).toBe(v.digest)
    })
  })
})

// ---------------------------------------------------------------------------------------------
// 2. Edge cases
// ---------------------------------------------------------------------------------------------

describe('X25519 low-order points (RFC 7748 §6.1: reject an all-zero shared secret)', () => {
  // u-coordinates of points of small order (1, 2, 4 or 8) on Curve25519 or its twist.
  const lowOrderPoints: ReadonlyArray<readonly [string, string]> = [
    ['0 (order 1/2)', '00'.repeat(32)],
    ['1 (order 4)', '01' + '00'.repeat(31)],
    ['order 8 (a)', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'],
    ['order 8 (b)', '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'],
    // Non-canonical / alternative encodings: p - 1 (u = -1, order 4), p (= 0) and p + 1 (= 1).
    ['p - 1', 'ec' + 'ff'.repeat(30) + '7f'],
    ['p', 'ed' + 'ff'.repeat(30) + '7f'],
    ['p + 1', 'ee' + 'ff'.repeat(30) + '7f'],
  ]
  const x = vectors.x25519[0]
  if (x === undefined) throw new Error('missing RFC 7748 vector')
  const scalars: ReadonlyArray<readonly [string, Buffer]> = [
    ['RFC 7748 Alice', fromHex(x.alicePrivate)],
    ['RFC 7748 Bob', fromHex(x.bobPrivate)],
    ['all 0xff', Buffer.alloc(32, 0xff)],
  ]

  it('accepts a valid point with the same scalars (control)', () => {
    for (const [, scalar] of scalars) {
      expect(x25519Shared(scalar, fromHex(x.bobPublic)).equals(Buffer.alloc(32))).toBe(false)
    }
  })

  it.each(lowOrderPoints)('crypto_scalarmult throws for the point %s', (_name, pointHex) => {
    const point = fromHex(pointHex)
    for (const [, scalar] of scalars) {
      expect(() => x25519Shared(scalar, point)).toThrow()
    }
  })
})

describe('Ed25519 rejections', () => {
  const v = vectors.ed25519[2] // RFC 8032 TEST 3: a non-empty message
  if (v === undefined) throw new Error('missing RFC 8032 TEST 3')
  const message = fromHex(v.message)
  const publicKey = fromHex(v.publicKey)
  const signature = fromHex(v.signature)

  it('accepts the unmodified signature (control)', () => {
    expect(sodium.crypto_sign_verify_detached(signature, message, publicKey)).toBe(true)
  })

  it('rejects S + L (signature malleability, RFC 8032 §5.1.7 requires S < L)', () => {
    const s = leBytesToBigInt(signature.subarray(32))
    expect(s < ED25519_L).toBe(true)
    const malleated = Buffer.concat([signature.subarray(0, 32), bigIntToLeBytes(s + ED25519_L, 32)])
    expect(malleated.equals(signature)).toBe(false)
    // S + L is congruent to S mod L, so a verifier that reduced S would accept this.
    expect(leBytesToBigInt(malleated.subarray(32)) % ED25519_L).toBe(s)
    expect(sodium.crypto_sign_verify_detached(malleated, message, publicKey)).toBe(false)
  })

  it('rejects the signature over a different message', () => {
    const others = [
      Buffer.alloc(0),
      Buffer.concat([message, Buffer.from([0])]),
      message.subarray(0, 1),
      ...bitIndices(message).map((bit) => flipBit(message, bit)),
    ]
    for (const other of others) {
      expect(sodium.crypto_sign_verify_detached(signature, other, publicKey)).toBe(false)
    }
  })

  it('rejects the signature under a public key with any single bit flipped', () => {
    for (const bit of bitIndices(publicKey)) {
      const ok = sodium.crypto_sign_verify_detached(signature, message, flipBit(publicKey, bit))
      expect(ok, `public key bit ${bit}`).toBe(false)
    }
  })

  it('rejects the signature with any single bit of R or S flipped', () => {
    for (const bit of bitIndices(signature)) {
      const ok = sodium.crypto_sign_verify_detached(flipBit(signature, bit), message, publicKey)
      expect(ok, `signature bit ${bit}`).toBe(false)
    }
  })
})

describe('XChaCha20-Poly1305 rejects any single-bit modification', () => {
  const v = vectors.xchacha20poly1305[0]
  if (v === undefined) throw new Error('missing XChaCha20-Poly1305 vector')
  const key = fromHex(v.key)
  const nonce = fromHex(v.nonce)
  const aad = fromHex(v.aad)
  const sealed = fromHex(v.ciphertext + v.tag)
  const tagStartBit = (sealed.length - sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES) * 8

  it('opens the unmodified message (control)', () => {
    expect(toHex(aeadDecrypt(key, nonce, aad, sealed))).toBe(v.plaintext)
  })

  it('throws for every flipped bit of the ciphertext', () => {
    for (const bit of bitIndices(sealed).filter((b) => b < tagStartBit)) {
      expect(() => aeadDecrypt(key, nonce, aad, flipBit(sealed, bit)), `bit ${bit}`).toThrow()
    }
  })

  it('throws for every flipped bit of the tag', () => {
    for (const bit of bitIndices(sealed).filter((b) => b >= tagStartBit)) {
      expect(() => aeadDecrypt(key, nonce, aad, flipBit(sealed, bit)), `bit ${bit}`).toThrow()
    }
  })

  it('throws for every flipped bit of the nonce', () => {
    for (const bit of bitIndices(nonce)) {
      expect(() => aeadDecrypt(key, flipBit(nonce, bit), aad, sealed), `bit ${bit}`).toThrow()
    }
  })

  it('throws for every flipped bit of the additional data', () => {
    for (const bit of bitIndices(aad)) {
      expect(() => aeadDecrypt(key, nonce, flipBit(aad, bit), sealed), `bit ${bit}`).toThrow()
    }
  })

  it('throws for every flipped bit of the key', () => {
    for (const bit of bitIndices(key)) {
      expect(() => aeadDecrypt(flipBit(key, bit), nonce, aad, sealed), `bit ${bit}`).toThrow()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// 3. Differential tests against @noble (an independent implementation)
// ---------------------------------------------------------------------------------------------

describe('differential: libsodium vs @noble', () => {
  it('Ed25519 public keys and signatures equal @noble/curves', () => {
    fc.assert(
      fc.property(bytes(32), fc.uint8Array({ maxLength: 2048 }), (seed, message) => {
        const { pk, sig } = signSeeded(seed, message)
        expect(toHex(pk)).toBe(toHex(ed25519.getPublicKey(seed)))
        expect(toHex(sig)).toBe(toHex(ed25519.sign(message, seed)))
        expect(sodium.crypto_sign_verify_detached(sig, message, pk)).toBe(true)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('X25519 public keys and shared secrets equal @noble/curves', () => {
    fc.assert(
      fc.property(bytes(32), bytes(32), (a, b) => {
        const aPub = x25519Base(a)
        const bPub = x25519Base(b)
        expect(toHex(aPub)).toBe(toHex(x25519.getPublicKey(a)))
        expect(toHex(bPub)).toBe(toHex(x25519.getPublicKey(b)))
        const shared = x25519Shared(a, bPub)
        expect(toHex(shared)).toBe(toHex(x25519.getSharedSecret(a, bPub)))
        expect(toHex(x25519Shared(b, aPub))).toBe(toHex(shared))
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('X25519 on arbitrary u-coordinates agrees with @noble/curves, rejections included', () => {
    fc.assert(
      fc.property(bytes(32), bytes(32), (scalar, u) => {
        let expected: string
        try {
          expected = toHex(x25519.getSharedSecret(scalar, u))
        } catch {
          expected = 'rejected'
        }
        let actual: string
        try {
          actual = toHex(x25519Shared(scalar, u))
        } catch {
          actual = 'rejected'
        }
        expect(actual).toBe(expected)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('XChaCha20-Poly1305 ciphertexts equal @noble/ciphers', () => {
    fc.assert(
      fc.property(
        bytes(32),
        bytes(24),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 2048 }),
        (key, nonce, aad, message) => {
          const sealed = aeadEncrypt(key, nonce, aad, message)
          expect(toHex(sealed)).toBe(toHex(xchacha20poly1305(key, nonce, aad).encrypt(message)))
          expect(toHex(aeadDecrypt(key, nonce, aad, sealed))).toBe(toHex(message))
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it('crypto_generichash equals @noble/hashes blake2b (keyed and unkeyed, 16..64 bytes)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 1024 }),
        fc.integer({
          min: sodium.crypto_generichash_BYTES_MIN,
          max: sodium.crypto_generichash_BYTES_MAX,
        }),
        // crypto_generichash_KEYBYTES_MIN / _MAX are 16 / 64 (not declared in the typings).
        fc.option(fc.uint8Array({ minLength: 16, maxLength: 64 }), { nil: undefined }),
        (input, outLength, key) => {
          const opts: Blake2Opts =
            key === undefined ? { dkLen: outLength } : { dkLen: outLength, key }
          expect(toHex(genericHash(outLength, input, key))).toBe(toHex(blake2b(input, opts)))
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  // libsodium: BLAKE2b(key, salt = LE64(id) || 0^8, personal = ctx || 0^8), empty input.
  it('crypto_kdf_derive_from_key equals the equivalent @noble/hashes blake2b', () => {
    fc.assert(
      fc.property(bytes(32), fc.maxSafeNat(), bytes(8), (key, id, ctx) => {
        const subkey = Buffer.alloc(32)
        sodium.crypto_kdf_derive_from_key(subkey, id, ctx, key)
        const expected = blake2b(new Uint8Array(0), {
          dkLen: 32,
          key,
          salt: zeroPadTo16(u64le(id)),
          personalization: zeroPadTo16(ctx),
        })
        expect(toHex(subkey)).toBe(toHex(expected))
      }),
      { numRuns: NUM_RUNS },
    )
  })
})
