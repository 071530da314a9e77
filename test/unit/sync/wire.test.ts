import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  deriveAccountKeys,
  generateSeed,
  signStatement,
  verifyStatement,
} from '../../../src/crypto/index.js'
import { CHUNK_BYTES, decodeFrame, frameMail } from '../../../src/sync/frames.js'
import { openProfile, signProfile } from '../../../src/sync/profile.js'
import {
  decodeAck,
  decodeHello,
  decodeOffer,
  encodeAck,
  encodeHello,
  encodeOffer,
  RejectCode,
  signOffer,
  verifyAck,
  verifyOffer,
} from '../../../src/sync/wire.js'
import { code, errorOf } from '../../helpers/errors.js'

const codeOf = (fn: () => unknown) => code(errorOf(fn))

const alice = deriveAccountKeys(generateSeed())
const bob = deriveAccountKeys(generateSeed())

describe('signed statements', () => {
  it('verify only for the same domain, parts and key', () => {
    const sig = signStatement(
      'peermail/v1/test',
      [Buffer.from('ab'), Buffer.from('c')],
      alice.identity,
    )
    const pk = alice.identity.publicKey
    expect(
      verifyStatement('peermail/v1/test', [Buffer.from('ab'), Buffer.from('c')], sig, pk),
    ).toBe(true)
    expect(
      verifyStatement('peermail/v1/other', [Buffer.from('ab'), Buffer.from('c')], sig, pk),
    ).toBe(false)
    // Part boundaries are part of what is signed.
    expect(
      verifyStatement('peermail/v1/test', [Buffer.from('a'), Buffer.from('bc')], sig, pk),
    ).toBe(false)
    expect(
      verifyStatement(
        'peermail/v1/test',
        [Buffer.from('ab'), Buffer.from('c')],
        sig,
        bob.identity.publicKey,
      ),
    ).toBe(false)
  })
})

describe('profile', () => {
  const fields = {
    encryptionKey: alice.encryption.publicKey,
    stampDifficulty: 12,
    issuedAt: 1_700_000_000_000,
    relays: [bob.identity.publicKey],
    prekeys: [{ publicKey: bob.encryption.publicKey, expiresAt: 1_700_000_100_000 }],
  }

  it('round-trips and is bound to its signer', () => {
    const bytes = signProfile(fields, alice.identity)
    const profile = openProfile(bytes)
    expect(profile.identity.equals(alice.identity.publicKey)).toBe(true)
    expect(profile).toMatchObject({ stampDifficulty: 12, issuedAt: 1_700_000_000_000 })
    expect(profile.relays.map((r) => r.toString('hex'))).toEqual([
      bob.identity.publicKey.toString('hex'),
    ])
  })

  it('refuses every single-byte change, truncation and extension', () => {
    const bytes = signProfile(fields, alice.identity)
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes)
      changed[i] = (changed[i] ?? 0) ^ 0x01
      expect(() => openProfile(changed)).toThrow()
    }
    expect(codeOf(() => openProfile(bytes.subarray(0, bytes.length - 1)))).toBe('SYNC_BAD_FRAME')
    expect(codeOf(() => openProfile(Buffer.concat([bytes, Buffer.from([0])])))).toBe(
      'SYNC_BAD_FRAME',
    )
  })
})

describe('channel messages', () => {
  it('hello, offer and ack round-trip', () => {
    const profile = signProfile(
      {
        encryptionKey: alice.encryption.publicKey,
        stampDifficulty: 8,
        issuedAt: 1,
        relays: [],
        prekeys: [],
      },
      alice.identity,
    )
    expect(decodeHello(encodeHello({ profile, knowsYou: true }))).toEqual({
      profile,
      knowsYou: true,
    })

    const logKey = Buffer.alloc(32, 7)
    const offer = {
      logKey,
      ackedUpTo: 42,
      signature: signOffer(logKey, alice.identity, bob.identity.publicKey),
    }
    const decoded = decodeOffer(encodeOffer(offer))
    expect(decoded).toEqual(offer)
    expect(verifyOffer(decoded, alice.identity.publicKey, bob.identity.publicKey)).toBe(true)
    // Not transferable: not to another recipient, not as someone else's.
    expect(verifyOffer(decoded, alice.identity.publicKey, alice.identity.publicKey)).toBe(false)
    expect(verifyOffer(decoded, bob.identity.publicKey, bob.identity.publicKey)).toBe(false)

    const ack = {
      logKey,
      length: 10,
      rejected: [{ seq: 3, code: RejectCode.STAMP_REQUIRED, difficulty: 16 }],
    }
    const decoded2 = decodeAck(encodeAck(ack, bob.identity))
    expect(decoded2).toMatchObject(ack)
    expect(verifyAck(decoded2, bob.identity.publicKey)).toBe(true)
    expect(verifyAck(decoded2, alice.identity.publicKey)).toBe(false)
  })

  it('malformed frames are BAD_FRAME, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const decode of [decodeHello, decodeOffer, decodeAck]) {
          try {
            decode(Buffer.from(bytes))
          } catch (err) {
            expect(code(err)).toBe('SYNC_BAD_FRAME')
          }
        }
      }),
    )
  })

  it('an ack may not list a rejection at or beyond its length, or an unknown code', () => {
    const logKey = Buffer.alloc(32)
    const ack = encodeAck(
      { logKey, length: 5, rejected: [{ seq: 4, code: RejectCode.MALFORMED, difficulty: 0 }] },
      bob.identity,
    )
    const beyond = Buffer.from(ack)
    beyond.writeBigUInt64BE(4n, 32) // length 4, rejection at 4
    expect(codeOf(() => decodeAck(beyond))).toBe('SYNC_BAD_FRAME')
    const unknown = Buffer.from(ack)
    unknown[32 + 8 + 2 + 8] = 99
    expect(codeOf(() => decodeAck(unknown))).toBe('SYNC_BAD_FRAME')
  })
})

describe('pair-log frames', () => {
  it('a small mail is one block, a large one splits and reassembles exactly', () => {
    const small = Buffer.from('Subject: hi\r\n\r\nbody')
    const [one, ...none] = frameMail(small)
    expect(none).toEqual([])
    expect(decodeFrame(one ?? Buffer.alloc(0))).toEqual({ kind: 'whole', mail: small })

    const big = Buffer.alloc(CHUNK_BYTES * 2 + 5, 0x61)
    const stamp = Buffer.alloc(17, 1)
    const frames = frameMail(big, stamp).map(decodeFrame)
    expect(frames.map((f) => f.kind)).toEqual(['first', 'next', 'next'])
    expect(frames[0]).toMatchObject({ kind: 'first', parts: 3, total: big.length, stamp })
    const joined = Buffer.concat(frames.map((f) => (f.kind === 'whole' ? f.mail : f.chunk)))
    expect(joined.equals(big)).toBe(true)
  })

  it('refuses frames that lie about their parts', () => {
    const frames = frameMail(Buffer.alloc(CHUNK_BYTES + 10, 1))
    const first = Buffer.from(frames[0] ?? Buffer.alloc(0))
    first.writeUInt32BE(1, 3) // parts = 1 in a "first" block
    expect(codeOf(() => decodeFrame(first))).toBe('SYNC_BAD_FRAME')
    const next = Buffer.from(frames[1] ?? Buffer.alloc(0))
    next.writeUInt32BE(0, 2) // part index 0 is the first block's
    expect(codeOf(() => decodeFrame(next))).toBe('SYNC_BAD_FRAME')
    expect(codeOf(() => decodeFrame(Buffer.from([1, 1, 0])))).toBe('SYNC_BAD_FRAME') // empty mail
  })
})
