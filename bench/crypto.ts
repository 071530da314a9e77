/**
 * Crypto core: envelope seal/open for 1 KB and 1 MB payloads beside the raw libsodium layer underneath
 * (a sealed box plus an Ed25519 signature over the same bytes), and the one-off costs: vault unlock with
 * the default Argon2id limits, a 16-bit stamp, a safety number.
 */
import sodium from 'sodium-native'
import {
  deriveAccountKeys,
  ENVELOPE_OVERHEAD,
  generateSeed,
  lockSecret,
  mintStamp,
  openEnvelope,
  safetyNumber,
  sealEnvelope,
  stampMessageHash,
  unlockSecret,
} from '../src/crypto/index.js'
import { opsPerSecond, round, timeMs } from './measure.js'

export async function run(): Promise<Record<string, unknown>> {
  const alice = deriveAccountKeys(generateSeed())
  const bob = deriveAccountKeys(generateSeed())
  const recipient = {
    identityPublicKey: bob.identity.publicKey,
    encryptionPublicKey: bob.encryption.publicKey,
  }
  const keyring = { identityPublicKey: bob.identity.publicKey, findKey: () => bob.encryption }
  const result: Record<string, unknown> = { envelopeOverheadBytes: ENVELOPE_OVERHEAD }

  for (const [label, size] of [
    ['1KB', 1024],
    ['1MB', 1024 * 1024],
  ] as const) {
    const payload = Buffer.alloc(size, 0x61)
    const ms = size > 4096 ? 2000 : 1000
    const envelope = sealEnvelope(payload, alice.identity, recipient)
    const seal = opsPerSecond(() => sealEnvelope(payload, alice.identity, recipient), ms)
    const open = opsPerSecond(
      () => openEnvelope(envelope, keyring, { sender: alice.identity.publicKey }),
      ms,
    )
    // Raw layer: libsodium's own sealed box (ephemeral X25519 + XSalsa20-Poly1305) and an Ed25519
    // signature over the same bytes: the off-the-shelf way to do the same job, with no binding.
    const boxPk = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES)
    const boxSk = Buffer.alloc(sodium.crypto_box_SECRETKEYBYTES)
    sodium.crypto_box_keypair(boxPk, boxSk)
    const sig = Buffer.alloc(64)
    const box = Buffer.alloc(size + sodium.crypto_box_SEALBYTES)
    const rawSeal = opsPerSecond(() => {
      sodium.crypto_sign_detached(sig, payload, alice.identity.secretKey)
      sodium.crypto_box_seal(box, payload, boxPk)
    }, ms)
    const plain = Buffer.alloc(size)
    const rawOpen = opsPerSecond(() => {
      sodium.crypto_box_seal_open(plain, box, boxPk, boxSk)
      sodium.crypto_sign_verify_detached(sig, plain, alice.identity.publicKey)
    }, ms)
    result[`seal${label}`] = {
      opsPerSec: round(seal),
      MBps: round((seal * size) / 1e6),
      rawOpsPerSec: round(rawSeal),
      ratioToRaw: round(seal / rawSeal, 2),
    }
    result[`open${label}`] = {
      opsPerSec: round(open),
      MBps: round((open * size) / 1e6),
      rawOpsPerSec: round(rawOpen),
      ratioToRaw: round(open / rawOpen, 2),
    }
  }

  const vault = await lockSecret(generateSeed(), 'benchmark passphrase')
  result.vaultUnlockModerateMs = round(
    await timeMs(() => unlockSecret(vault, 'benchmark passphrase')),
  )
  const subject = {
    sender: alice.identity.publicKey,
    recipient: bob.identity.publicKey,
    messageHash: stampMessageHash(Buffer.from('x')),
  }
  result.stampMint16BitsMs = round(await timeMs(() => Promise.resolve(mintStamp(subject, 16))))
  result.safetyNumberMs = round(
    1000 / opsPerSecond(() => safetyNumber(alice.identity.publicKey, bob.identity.publicKey), 500),
    2,
  )
  return result
}
