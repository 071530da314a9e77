import sodium from 'sodium-native'
import { assertBytes, blake2b, randomBytes, wipe } from './bytes.js'
import { SEED_BYTES } from './phrase.js'

/** An Ed25519 signing keypair (libsodium layout: `secretKey` is seed ‖ public key, 64 bytes). */
export interface SigningKeyPair {
  publicKey: Buffer
  secretKey: Buffer
}

/** An X25519 key-agreement keypair with its 8-byte key id (see {@link keyIdOf}). */
export interface EncryptionKeyPair {
  keyId: Buffer
  publicKey: Buffer
  secretKey: Buffer
}

/** Everything an account derives from its seed. Derivations are fixed by docs/protocol.md §2. */
export interface AccountKeys {
  /** Identity and swarm keypair: peers dial `identity.publicKey`, Noise proves it. */
  identity: SigningKeyPair
  /** Long-term encryption key, published signed by the identity; prekeys come on top of it. */
  encryption: EncryptionKeyPair
  /** Key for the local mailbox's at-rest encryption. */
  storageKey: Buffer
  /** Corestore primary key, so the same phrase recreates the same Hypercores. */
  corestorePrimaryKey: Buffer
}

/**
 * KDF contexts (libsodium `crypto_kdf`, BLAKE2b keyed by the seed), one per purpose, subkey id 1.
 * Fixed forever: changing one moves every account derived from a phrase.
 */
export const KDF_CONTEXTS = {
  identity: 'PMIDENT1',
  encryption: 'PMENCRY1',
  storage: 'PMSTORE1',
  corestore: 'PMCORES1',
} as const

export const KEY_ID_BYTES = 8
const KEY_ID_DOMAIN = Buffer.from('peermail/v1/key-id')

/** Derives 32 bytes for one purpose from the seed. */
export function deriveSubkey(seed: Uint8Array, context: string, id = 1): Buffer {
  assertBytes(seed, SEED_BYTES, 'seed')
  const ctx = Buffer.from(context, 'ascii')
  if (ctx.byteLength !== sodium.crypto_kdf_CONTEXTBYTES) {
    throw new Error(`KDF context must be ${sodium.crypto_kdf_CONTEXTBYTES} bytes`)
  }
  const out = Buffer.alloc(32)
  sodium.crypto_kdf_derive_from_key(out, id, ctx, seed)
  return out
}

/** Derives every account key from the 32-byte seed. The caller should {@link wipeAccountKeys} after use. */
export function deriveAccountKeys(seed: Uint8Array): AccountKeys {
  const identitySeed = deriveSubkey(seed, KDF_CONTEXTS.identity)
  const identity = signingKeyPairFromSeed(identitySeed)
  wipe(identitySeed)
  return {
    identity,
    encryption: encryptionKeyPairFromSecret(deriveSubkey(seed, KDF_CONTEXTS.encryption)),
    storageKey: deriveSubkey(seed, KDF_CONTEXTS.storage),
    corestorePrimaryKey: deriveSubkey(seed, KDF_CONTEXTS.corestore),
  }
}

/** Overwrites every secret in `keys`. */
export function wipeAccountKeys(keys: AccountKeys): void {
  wipe(
    keys.identity.secretKey,
    keys.encryption.secretKey,
    keys.storageKey,
    keys.corestorePrimaryKey,
  )
}

/** Ed25519 keypair from a 32-byte seed. */
export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
  assertBytes(seed, sodium.crypto_sign_SEEDBYTES, 'signing seed')
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES)
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES)
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
  return { publicKey, secretKey }
}

/** X25519 keypair whose secret is the given 32 bytes (libsodium clamps when it multiplies). */
export function encryptionKeyPairFromSecret(secretKey: Buffer): EncryptionKeyPair {
  assertBytes(secretKey, sodium.crypto_scalarmult_SCALARBYTES, 'X25519 secret')
  const publicKey = Buffer.alloc(sodium.crypto_scalarmult_BYTES)
  sodium.crypto_scalarmult_base(publicKey, secretKey)
  return { keyId: keyIdOf(publicKey), publicKey, secretKey }
}

/** A fresh random X25519 keypair (ephemeral keys, prekeys: never derived, so deleting them forgets). */
export function generateEncryptionKeyPair(
  random: (n: number) => Buffer = randomBytes,
): EncryptionKeyPair {
  return encryptionKeyPairFromSecret(random(sodium.crypto_scalarmult_SCALARBYTES))
}

/** The 8-byte id that names an X25519 public key inside envelopes: BLAKE2b-64(domain ‖ key). */
export function keyIdOf(publicKey: Uint8Array): Buffer {
  assertBytes(publicKey, sodium.crypto_scalarmult_BYTES, 'X25519 public key')
  return blake2b(16, [KEY_ID_DOMAIN, publicKey]).subarray(0, KEY_ID_BYTES)
}
