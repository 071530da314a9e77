/**
 * The committed known answers, checked twice: against this code, and against an independent
 * re-implementation of docs/protocol.md written with @noble (a different library from libsodium). The
 * second check is what makes the spec, not just the code, the reference.
 */
import { describe, expect, it } from 'vitest'
import z32 from 'z32'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { blake2b } from '@noble/hashes/blake2.js'
import { argon2id } from '@noble/hashes/argon2.js'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import {
  decodeAddress,
  deriveAccountKeys,
  encodeAddress,
  lockSecret,
  mintStamp,
  openEnvelope,
  safetyCode,
  safetyNumber,
  sealEnvelope,
  stampMessageHash,
  unlockSecret,
  verifyStamp,
} from '../../../src/crypto/index.js'
import { fromHex, vectors } from '../../helpers/vectors.js'

const te = new TextEncoder()
const cat = (...parts: Uint8Array[]) => Buffer.concat(parts)
const b2b = (len: number, ...parts: Uint8Array[]) =>
  Buffer.from(blake2b(cat(...parts), { dkLen: len }))

// docs/protocol.md §2: crypto_kdf = BLAKE2b-256 keyed by the seed, salt = id (LE64) ‖ 0^8, personal = ctx ‖ 0^8.
function specKdf(seed: Uint8Array, context: string, id = 1): Buffer {
  const salt = Buffer.alloc(16)
  salt.writeBigUInt64LE(BigInt(id))
  const personalization = Buffer.alloc(16)
  personalization.write(context, 'ascii')
  return Buffer.from(blake2b(new Uint8Array(0), { dkLen: 32, key: seed, salt, personalization }))
}
const specKeyId = (pk: Uint8Array) => b2b(16, te.encode('peermail/v1/key-id'), pk).subarray(0, 8)

describe('known answers: account derivation (§2) and addresses (§3)', () => {
  it.each(vectors.accounts.map((a) => [a.seed.slice(0, 8), a] as const))(
    'seed %s…',
    (_, account) => {
      const seed = fromHex(account.seed)
      const keys = deriveAccountKeys(seed)
      expect(keys.identity.publicKey.toString('hex')).toBe(account.identityPublicKey)
      expect(keys.encryption.secretKey.toString('hex')).toBe(account.encryptionSecretKey)
      expect(keys.encryption.publicKey.toString('hex')).toBe(account.encryptionPublicKey)
      expect(keys.encryption.keyId.toString('hex')).toBe(account.encryptionKeyId)
      expect(keys.storageKey.toString('hex')).toBe(account.storageKey)
      expect(keys.corestorePrimaryKey.toString('hex')).toBe(account.corestorePrimaryKey)
      expect(encodeAddress(keys.identity.publicKey)).toBe(account.address)
      expect(decodeAddress(account.address).toString('hex')).toBe(account.identityPublicKey)

      // Independent: the spec recomputed with @noble.
      const identityPk = ed25519.getPublicKey(specKdf(seed, 'PMIDENT1'))
      expect(Buffer.from(identityPk).toString('hex')).toBe(account.identityPublicKey)
      const encSecret = specKdf(seed, 'PMENCRY1')
      expect(encSecret.toString('hex')).toBe(account.encryptionSecretKey)
      expect(Buffer.from(x25519.getPublicKey(encSecret)).toString('hex')).toBe(
        account.encryptionPublicKey,
      )
      expect(specKeyId(fromHex(account.encryptionPublicKey)).toString('hex')).toBe(
        account.encryptionKeyId,
      )
      expect(specKdf(seed, 'PMSTORE1').toString('hex')).toBe(account.storageKey)
      expect(specKdf(seed, 'PMCORES1').toString('hex')).toBe(account.corestorePrimaryKey)
      const checksum = b2b(
        16,
        te.encode('peermail/v1/address'),
        te.encode('1'),
        identityPk,
      ).subarray(0, 4)
      expect('pm1' + z32.encode(cat(identityPk, checksum))).toBe(account.address)
    },
  )
})

describe('known answers: envelope (§4)', () => {
  const v = vectors.envelope
  const alice = deriveAccountKeys(fromHex(v.senderSeed))
  const bob = deriveAccountKeys(fromHex(v.recipientSeed))
  const keyring = {
    identityPublicKey: bob.identity.publicKey,
    findKey: (id: Buffer) => (id.equals(bob.encryption.keyId) ? bob.encryption : undefined),
  }

  it('seals to the committed bytes with the same randomness', () => {
    const chunks = [fromHex(v.ephemeralSecretKey), fromHex(v.nonce)]
    const envelope = sealEnvelope(
      fromHex(v.payload),
      alice.identity,
      { identityPublicKey: bob.identity.publicKey, encryptionPublicKey: bob.encryption.publicKey },
      { context: fromHex(v.context), random: () => chunks.shift()! },
    )
    expect(envelope.toString('hex')).toBe(v.envelope)
  })

  it('opens the committed bytes', () => {
    const payload = openEnvelope(fromHex(v.envelope), keyring, {
      sender: alice.identity.publicKey,
      context: fromHex(v.context),
    })
    expect(payload.toString('hex')).toBe(v.payload)
  })

  it('is opened by an independent implementation of the spec', () => {
    const env = fromHex(v.envelope)
    expect(env[0]).toBe(1)
    const header = env.subarray(0, 65)
    const keyId = header.subarray(1, 9)
    const ephemeral = header.subarray(9, 41)
    const nonce = header.subarray(41, 65)
    expect(keyId.equals(specKeyId(bob.encryption.publicKey))).toBe(true)
    const shared = x25519.getSharedSecret(bob.encryption.secretKey, ephemeral)
    const key = b2b(
      32,
      te.encode('peermail/v1/envelope-key'),
      shared,
      ephemeral,
      bob.encryption.publicKey,
    )
    const contextHash = b2b(32, te.encode('peermail/v1/envelope-context'), fromHex(v.context))
    const ad = cat(
      header,
      alice.identity.publicKey,
      bob.identity.publicKey,
      bob.encryption.publicKey,
      contextHash,
    )
    const plaintext = xchacha20poly1305(key, nonce, ad).decrypt(env.subarray(65))
    const signature = plaintext.subarray(0, 64)
    const payload = plaintext.subarray(64)
    expect(Buffer.from(payload).toString('hex')).toBe(v.payload)
    const transcript = cat(
      te.encode('peermail/v1/envelope-sig'),
      ad,
      b2b(64, te.encode('peermail/v1/envelope-payload'), payload),
    )
    expect(ed25519.verify(signature, transcript, alice.identity.publicKey)).toBe(true)
  })
})

describe('known answers: vault (§5)', () => {
  const v = vectors.vault
  it('unlocks the committed vault', async () => {
    expect((await unlockSecret(fromHex(v.vault), v.passphrase)).toString('hex')).toBe(v.secret)
  })

  it('locks to the committed bytes with the same salt and nonce', async () => {
    const chunks = [Buffer.alloc(16, 0x51), Buffer.alloc(24, 0x4e)]
    const vault = await lockSecret(fromHex(v.secret), v.passphrase, v, () => chunks.shift()!)
    expect(vault.toString('hex')).toBe(v.vault)
  })

  it('is opened by an independent implementation of the spec', () => {
    const blob = fromHex(v.vault)
    const header = blob.subarray(0, 54)
    expect(header.subarray(0, 4).toString()).toBe('PMVT')
    expect([header[4], header[5]]).toEqual([1, 2])
    const key = argon2id(te.encode(v.passphrase), header.subarray(14, 30), {
      t: header.readUInt32BE(6),
      m: header.readUInt32BE(10) / 1024,
      p: 1,
      dkLen: 32,
    })
    const secret = xchacha20poly1305(key, header.subarray(30, 54), header).decrypt(
      blob.subarray(54),
    )
    expect(Buffer.from(secret).toString('hex')).toBe(v.secret)
  })
})

describe('known answers: safety number (§6) and stamp (§7)', () => {
  it('reproduces the safety number and QR code', () => {
    const { a, b, number, code } = vectors.safetyNumber
    expect(safetyNumber(fromHex(a), fromHex(b))).toBe(number)
    expect(safetyCode(fromHex(b), fromHex(a))).toBe(code)

    // Independent: iterated BLAKE2b-512, 5 digits per 5-byte chunk, ordered by key.
    const print = (pk: Buffer) => {
      let h = b2b(64, te.encode('peermail/v1/safety-number'), pk)
      for (let i = 1; i < 5200; i++) h = b2b(64, h, pk)
      return h.subarray(0, 32)
    }
    const digits = (p: Buffer) =>
      [0, 1, 2, 3, 4, 5].map((i) => String(p.readUIntBE(i * 5, 5) % 100000).padStart(5, '0'))
    const [lo, hi] = [fromHex(a), fromHex(b)].sort((x, y) => Buffer.compare(x, y)) as [
      Buffer,
      Buffer,
    ]
    expect([...digits(print(lo)), ...digits(print(hi))].join(' ')).toBe(number)
    expect('peermail-safety:1:' + z32.encode(cat(print(lo), print(hi)))).toBe(code)
  })

  it('verifies the committed stamp, independently too', () => {
    const s = vectors.stamp
    const subject = {
      sender: fromHex(s.sender),
      recipient: fromHex(s.recipient),
      messageHash: fromHex(s.messageHash),
    }
    expect(stampMessageHash(fromHex(s.message)).toString('hex')).toBe(s.messageHash)
    expect(
      verifyStamp(fromHex(s.stamp), subject, { difficulty: s.difficulty, now: s.time }),
    ).toBeGreaterThanOrEqual(s.difficulty)
    const work = b2b(
      32,
      te.encode('peermail/v1/stamp'),
      subject.sender,
      subject.recipient,
      subject.messageHash,
      fromHex(s.stamp),
    )
    const zeroBits =
      [...work].findIndex((byte) => byte !== 0) * 8 + Math.clz32(work.find((x) => x !== 0)!) - 24
    expect(zeroBits).toBeGreaterThanOrEqual(s.difficulty)
    expect(fromHex(s.stamp).readBigUInt64BE(1)).toBe(BigInt(s.time))
    // Minting is randomised, but any new stamp for the same subject must verify too.
    expect(
      verifyStamp(mintStamp(subject, 8, s.time), subject, { difficulty: 8, now: s.time }),
    ).toBeGreaterThanOrEqual(8)
  })
})
