import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  ENVELOPE_HEADER_BYTES,
  ENVELOPE_MAX_PAYLOAD,
  ENVELOPE_OVERHEAD,
  envelopeKeyId,
  generateEncryptionKeyPair,
  openEnvelope,
  sealEnvelope,
} from '../../../src/crypto/index.js'
import { keyringOf, makeAccount, recipientOf } from '../../helpers/accounts.js'

const alice = makeAccount()
const bob = makeAccount()
const carol = makeAccount()
const OPEN_FAILED: unknown = expect.objectContaining({ code: 'ENVELOPE_OPEN_FAILED' })

describe('envelope', () => {
  it('round-trips any payload and context, adding a fixed overhead', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 4096 }),
        fc.uint8Array({ maxLength: 64 }),
        (payload, context) => {
          const env = sealEnvelope(payload, alice.identity, recipientOf(bob), { context })
          expect(env.byteLength).toBe(payload.byteLength + ENVELOPE_OVERHEAD)
          const opened = openEnvelope(env, keyringOf(bob), {
            sender: alice.identity.publicKey,
            context,
          })
          expect(Buffer.from(opened).equals(Buffer.from(payload))).toBe(true)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('round-trips a payload at the size limit and refuses one byte more', () => {
    const limit = 3 * 1024 * 1024
    const payload = Buffer.alloc(limit, 7)
    const env = sealEnvelope(payload, alice.identity, recipientOf(bob), { maxPayloadBytes: limit })
    const opened = openEnvelope(env, keyringOf(bob), {
      sender: alice.identity.publicKey,
      maxPayloadBytes: limit,
    })
    expect(opened.equals(payload)).toBe(true)
    expect(() =>
      sealEnvelope(Buffer.alloc(limit + 1), alice.identity, recipientOf(bob), {
        maxPayloadBytes: limit,
      }),
    ).toThrow(expect.objectContaining({ code: 'ENVELOPE_TOO_LARGE' }))
    // The opener enforces its own limit too: a peer cannot make it decrypt something huge.
    expect(() =>
      openEnvelope(env, keyringOf(bob), {
        sender: alice.identity.publicKey,
        maxPayloadBytes: limit - 1,
      }),
    ).toThrow(OPEN_FAILED)
  })

  it('accepts a payload of exactly the default limit', () => {
    const payload = Buffer.alloc(ENVELOPE_MAX_PAYLOAD, 1)
    const env = sealEnvelope(payload, alice.identity, recipientOf(bob))
    expect(openEnvelope(env, keyringOf(bob), { sender: alice.identity.publicKey }).byteLength).toBe(
      ENVELOPE_MAX_PAYLOAD,
    )
    expect(() =>
      sealEnvelope(Buffer.alloc(ENVELOPE_MAX_PAYLOAD + 1), alice.identity, recipientOf(bob)),
    ).toThrow(expect.objectContaining({ code: 'ENVELOPE_TOO_LARGE' }))
  })

  it('uses a fresh ephemeral key and nonce every time', () => {
    const payload = Buffer.from('same message')
    const seen = new Set<string>()
    for (let i = 0; i < 100; i++) {
      const env = sealEnvelope(payload, alice.identity, recipientOf(bob))
      seen.add(env.subarray(9, 41).toString('hex'))
      seen.add(env.subarray(41, ENVELOPE_HEADER_BYTES).toString('hex'))
    }
    expect(seen.size).toBe(200)
  })

  it('rejects every single-bit flip of a small envelope', () => {
    const env = sealEnvelope(Buffer.from('attack at dawn'), alice.identity, recipientOf(bob))
    const keyring = keyringOf(bob)
    for (let byte = 0; byte < env.byteLength; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = Buffer.from(env)
        tampered[byte]! ^= 1 << bit
        expect(() => openEnvelope(tampered, keyring, { sender: alice.identity.publicKey })).toThrow(
          OPEN_FAILED,
        )
      }
    }
  })

  it('rejects truncation and extension', () => {
    const env = sealEnvelope(Buffer.from('complete'), alice.identity, recipientOf(bob))
    const opts = { sender: alice.identity.publicKey }
    for (let len = 0; len < env.byteLength; len++) {
      expect(() => openEnvelope(env.subarray(0, len), keyringOf(bob), opts)).toThrow(OPEN_FAILED)
    }
    expect(() =>
      openEnvelope(Buffer.concat([env, Buffer.from([0])]), keyringOf(bob), opts),
    ).toThrow(OPEN_FAILED)
  })

  it('cannot be opened by anyone but the recipient', () => {
    const env = sealEnvelope(Buffer.from('for Bob only'), alice.identity, recipientOf(bob))
    // Carol with her own keys: her key id does not match.
    expect(() => openEnvelope(env, keyringOf(carol), { sender: alice.identity.publicKey })).toThrow(
      OPEN_FAILED,
    )
    // Carol claiming Bob's identity and answering any key id with her key: the AEAD fails.
    const impostor = { identityPublicKey: bob.identity.publicKey, findKey: () => carol.encryption }
    expect(() => openEnvelope(env, impostor, { sender: alice.identity.publicKey })).toThrow(
      OPEN_FAILED,
    )
    // The sender herself cannot open what she sealed (no key escrow by construction).
    expect(() => openEnvelope(env, keyringOf(alice), { sender: alice.identity.publicKey })).toThrow(
      OPEN_FAILED,
    )
  })

  it('rejects a message re-addressed to another recipient', () => {
    // Bob opens Alice's message and re-seals the same inner bytes (signature included) to Carol.
    const env = sealEnvelope(Buffer.from('to Bob'), alice.identity, recipientOf(bob))
    const payload = openEnvelope(env, keyringOf(bob), { sender: alice.identity.publicKey })
    const forged = sealEnvelope(payload, bob.identity, recipientOf(carol))
    expect(() =>
      openEnvelope(forged, keyringOf(carol), { sender: alice.identity.publicKey }),
    ).toThrow(OPEN_FAILED)
    // Splicing Alice's ciphertext under a header naming Carol's key fails too.
    const spliced = Buffer.from(env)
    carol.encryption.keyId.copy(spliced, 1)
    expect(() =>
      openEnvelope(spliced, keyringOf(carol), { sender: alice.identity.publicKey }),
    ).toThrow(OPEN_FAILED)
    // Bob cannot claim the envelope was for Carol's identity with his own key.
    const bobAsCarol = {
      identityPublicKey: carol.identity.publicKey,
      findKey: (id: Buffer) => keyringOf(bob).findKey(id),
    }
    expect(() => openEnvelope(env, bobAsCarol, { sender: alice.identity.publicKey })).toThrow(
      OPEN_FAILED,
    )
  })

  it('rejects the wrong sender and a forged signature', () => {
    const env = sealEnvelope(Buffer.from('signed by Alice'), alice.identity, recipientOf(bob))
    expect(() => openEnvelope(env, keyringOf(bob), { sender: carol.identity.publicKey })).toThrow(
      OPEN_FAILED,
    )
    // Carol signs with her key but claims to be Alice: the AD names Alice, the signature is Carol's.
    const forged = sealEnvelope(
      Buffer.from('signed by Carol'),
      { publicKey: alice.identity.publicKey, secretKey: carol.identity.secretKey },
      recipientOf(bob),
    )
    expect(() =>
      openEnvelope(forged, keyringOf(bob), { sender: alice.identity.publicKey }),
    ).toThrow(OPEN_FAILED)
  })

  it('binds the context: an envelope replayed into another position fails', () => {
    const env = sealEnvelope(Buffer.from('block 7'), alice.identity, recipientOf(bob), {
      context: Buffer.from('log:7'),
    })
    const opts = (context?: string) => ({
      sender: alice.identity.publicKey,
      ...(context === undefined ? {} : { context: Buffer.from(context) }),
    })
    expect(openEnvelope(env, keyringOf(bob), opts('log:7')).toString()).toBe('block 7')
    expect(() => openEnvelope(env, keyringOf(bob), opts('log:8'))).toThrow(OPEN_FAILED)
    expect(() => openEnvelope(env, keyringOf(bob), opts())).toThrow(OPEN_FAILED)
  })

  it('seals to a prekey named by its key id', () => {
    const prekey = generateEncryptionKeyPair()
    const env = sealEnvelope(Buffer.from('forward secret'), alice.identity, {
      identityPublicKey: bob.identity.publicKey,
      encryptionPublicKey: prekey.publicKey,
    })
    expect(envelopeKeyId(env).equals(prekey.keyId)).toBe(true)
    expect(() => openEnvelope(env, keyringOf(bob), { sender: alice.identity.publicKey })).toThrow(
      OPEN_FAILED,
    )
    const opened = openEnvelope(env, keyringOf(bob, prekey), { sender: alice.identity.publicKey })
    expect(opened.toString()).toBe('forward secret')
  })

  it('refuses low-order recipient keys and malformed arguments with coded errors', () => {
    const lowOrder = {
      identityPublicKey: bob.identity.publicKey,
      encryptionPublicKey: Buffer.alloc(32),
    }
    expect(() => sealEnvelope(Buffer.from('x'), alice.identity, lowOrder)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    const badSender = { publicKey: Buffer.alloc(31), secretKey: alice.identity.secretKey }
    expect(() => sealEnvelope(Buffer.from('x'), badSender, recipientOf(bob))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    // An envelope whose ephemeral key is a low-order point cannot be opened (and does not crash).
    const env = sealEnvelope(Buffer.from('x'), alice.identity, recipientOf(bob))
    Buffer.alloc(32).copy(env, 9)
    expect(() => openEnvelope(env, keyringOf(bob), { sender: alice.identity.publicKey })).toThrow(
      OPEN_FAILED,
    )
    expect(() =>
      openEnvelope('nope' as unknown as Uint8Array, keyringOf(bob), {
        sender: alice.identity.publicKey,
      }),
    ).toThrow(OPEN_FAILED)
  })

  it('rejects an unknown version byte', () => {
    const env = sealEnvelope(Buffer.from('v1'), alice.identity, recipientOf(bob))
    env[0] = 2
    expect(() => openEnvelope(env, keyringOf(bob), { sender: alice.identity.publicKey })).toThrow(
      OPEN_FAILED,
    )
    expect(() => envelopeKeyId(env)).toThrow(OPEN_FAILED)
  })
})
