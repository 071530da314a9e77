import { describe, expect, it } from 'vitest'
import sodium from 'sodium-native'
import {
  deriveAccountKeys,
  deriveSubkey,
  generateEncryptionKeyPair,
  generateSeed,
  keyIdOf,
  KDF_CONTEXTS,
  phraseToSeed,
  seedToPhrase,
  wipeAccountKeys,
} from '../../../src/crypto/index.js'

describe('account keys', () => {
  it('restores the same account from the recovery phrase', () => {
    const seed = generateSeed()
    const a = deriveAccountKeys(seed)
    const b = deriveAccountKeys(phraseToSeed(seedToPhrase(seed)))
    expect(b.identity.secretKey.equals(a.identity.secretKey)).toBe(true)
    expect(b.encryption.secretKey.equals(a.encryption.secretKey)).toBe(true)
    expect(b.storageKey.equals(a.storageKey)).toBe(true)
    expect(b.corestorePrimaryKey.equals(a.corestorePrimaryKey)).toBe(true)
  })

  it('gives every purpose its own key', () => {
    const seed = generateSeed()
    const keys = deriveAccountKeys(seed)
    const all = [
      keys.identity.secretKey.subarray(0, 32),
      keys.encryption.secretKey,
      keys.storageKey,
      keys.corestorePrimaryKey,
      seed,
    ].map((k) => k.toString('hex'))
    expect(new Set(all).size).toBe(all.length)
    expect(new Set(Object.values(KDF_CONTEXTS)).size).toBe(Object.keys(KDF_CONTEXTS).length)
  })

  it('makes a working signing keypair and encryption keypair', () => {
    const keys = deriveAccountKeys(generateSeed())
    const sig = Buffer.alloc(64)
    sodium.crypto_sign_detached(sig, Buffer.from('hello'), keys.identity.secretKey)
    expect(
      sodium.crypto_sign_verify_detached(sig, Buffer.from('hello'), keys.identity.publicKey),
    ).toBe(true)
    const other = generateEncryptionKeyPair()
    const ab = Buffer.alloc(32)
    const ba = Buffer.alloc(32)
    sodium.crypto_scalarmult(ab, keys.encryption.secretKey, other.publicKey)
    sodium.crypto_scalarmult(ba, other.secretKey, keys.encryption.publicKey)
    expect(ab.equals(ba)).toBe(true)
    expect(keys.encryption.keyId.equals(keyIdOf(keys.encryption.publicKey))).toBe(true)
  })

  it('rejects bad seeds and contexts', () => {
    expect(() => deriveAccountKeys(Buffer.alloc(16))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => deriveSubkey(generateSeed(), 'short')).toThrow()
  })

  it('wipes secrets on request', () => {
    const keys = deriveAccountKeys(generateSeed())
    wipeAccountKeys(keys)
    for (const secret of [
      keys.identity.secretKey,
      keys.encryption.secretKey,
      keys.storageKey,
      keys.corestorePrimaryKey,
    ]) {
      expect(secret.every((b) => b === 0)).toBe(true)
    }
  })
})
