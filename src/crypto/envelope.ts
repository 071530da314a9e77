import sodium from 'sodium-native'
import { asBuffer, assertBytes, blake2b, randomBytes, wipe, type RandomSource } from './bytes.js'
import { CryptoError } from './errors.js'
import { KEY_ID_BYTES, keyIdOf, type EncryptionKeyPair, type SigningKeyPair } from './keys.js'

/**
 * Sealed envelopes: one message for one recipient. Byte layout, key schedule and vectors are in
 * docs/protocol.md §4; in short
 *
 *   version(1) ‖ recipientKeyId(8) ‖ ephemeralPublicKey(32) ‖ nonce(24) ‖ XChaCha20-Poly1305(sig(64) ‖ payload)
 *
 * The per-message key comes from a fresh ephemeral X25519 exchange with the recipient key named by the
 * key id (the long-term key or a prekey). The sender and recipient identities and a caller-chosen context
 * are bound into the AEAD's associated data and into the Ed25519 signature inside, so an envelope cannot
 * be re-addressed, attributed to another sender, moved to another context, or altered undetected.
 */
export const ENVELOPE_VERSION = 1
const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
const TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES
const SIG_BYTES = sodium.crypto_sign_BYTES
const KEY_BYTES = 32
/** Bytes before the ciphertext: version, key id, ephemeral key, nonce. */
export const ENVELOPE_HEADER_BYTES = 1 + KEY_ID_BYTES + KEY_BYTES + NONCE_BYTES
/** Bytes an envelope adds to its payload: header, signature and AEAD tag. */
export const ENVELOPE_OVERHEAD = ENVELOPE_HEADER_BYTES + SIG_BYTES + TAG_BYTES
/** Default upper bound on a payload (a 50 MB mail plus room); callers may set a lower one. */
export const ENVELOPE_MAX_PAYLOAD = 64 * 1024 * 1024

const KEY_DOMAIN = Buffer.from('peermail/v1/envelope-key')
const SIG_DOMAIN = Buffer.from('peermail/v1/envelope-sig')
const CONTEXT_DOMAIN = Buffer.from('peermail/v1/envelope-context')
const PAYLOAD_DOMAIN = Buffer.from('peermail/v1/envelope-payload')
const EMPTY = Buffer.alloc(0)

/** The recipient's public side as a sender sees it. */
export interface EnvelopeRecipient {
  /** Ed25519 identity public key (what the address encodes). */
  identityPublicKey: Uint8Array
  /** X25519 key to seal to: the long-term key or the newest valid prekey. */
  encryptionPublicKey: Uint8Array
}

/** The recipient's secret side: its identity and a lookup from key id to the X25519 keypair. */
export interface EnvelopeKeyring {
  identityPublicKey: Uint8Array
  findKey(keyId: Buffer): EncryptionKeyPair | undefined
}

export interface SealOptions {
  /** Bytes bound into the envelope but not carried in it (e.g. pair-log key and position). */
  context?: Uint8Array
  /** Largest payload accepted; default {@link ENVELOPE_MAX_PAYLOAD}. */
  maxPayloadBytes?: number
  /** Randomness for the ephemeral key and nonce. Only known-answer tests replace it. */
  random?: RandomSource
}

export interface OpenOptions {
  /** Ed25519 identity the envelope must come from (the owner of the log it was read from). */
  sender: Uint8Array
  /** The same context bytes the sender bound, if any. */
  context?: Uint8Array
  maxPayloadBytes?: number
}

/** Seals `payload` from `sender` to `recipient`. Each call uses a new ephemeral key and nonce. */
export function sealEnvelope(
  payload: Uint8Array,
  sender: SigningKeyPair,
  recipient: EnvelopeRecipient,
  options: SealOptions = {},
): Buffer {
  const limit = options.maxPayloadBytes ?? ENVELOPE_MAX_PAYLOAD
  if (!(payload instanceof Uint8Array)) throw CryptoError.INVALID_ARGUMENT('payload must be bytes')
  if (payload.byteLength > limit) throw CryptoError.ENVELOPE_TOO_LARGE(payload.byteLength, limit)
  assertBytes(sender.publicKey, sodium.crypto_sign_PUBLICKEYBYTES, 'sender public key')
  assertBytes(sender.secretKey, sodium.crypto_sign_SECRETKEYBYTES, 'sender secret key')
  assertBytes(
    recipient.identityPublicKey,
    sodium.crypto_sign_PUBLICKEYBYTES,
    'recipient identity key',
  )
  assertBytes(recipient.encryptionPublicKey, KEY_BYTES, 'recipient encryption key')
  const random = options.random ?? randomBytes

  const ephemeralSecret = random(KEY_BYTES)
  const ephemeralPublic = Buffer.alloc(KEY_BYTES)
  sodium.crypto_scalarmult_base(ephemeralPublic, ephemeralSecret)
  const nonce = random(NONCE_BYTES)
  const header = Buffer.concat([
    Buffer.from([ENVELOPE_VERSION]),
    keyIdOf(recipient.encryptionPublicKey),
    ephemeralPublic,
    nonce,
  ])

  const shared = Buffer.alloc(KEY_BYTES)
  try {
    sodium.crypto_scalarmult(shared, ephemeralSecret, recipient.encryptionPublicKey)
  } catch {
    wipe(ephemeralSecret)
    throw CryptoError.INVALID_ARGUMENT('recipient encryption key is not a usable X25519 public key')
  }
  const key = messageKey(shared, ephemeralPublic, recipient.encryptionPublicKey)
  const binding = bindingOf(header, sender.publicKey, recipient, options.context)

  const plaintext = Buffer.alloc(SIG_BYTES + payload.byteLength)
  sodium.crypto_sign_detached(
    plaintext.subarray(0, SIG_BYTES),
    signedTranscript(binding, payload),
    sender.secretKey,
  )
  plaintext.set(payload, SIG_BYTES)

  const envelope = Buffer.alloc(ENVELOPE_HEADER_BYTES + plaintext.byteLength + TAG_BYTES)
  header.copy(envelope)
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    envelope.subarray(ENVELOPE_HEADER_BYTES),
    plaintext,
    binding,
    null,
    nonce,
    key,
  )
  wipe(ephemeralSecret, shared, key, plaintext)
  return envelope
}

/**
 * Opens an envelope: checks version, key, AEAD tag and the sender's signature before returning any byte
 * of the payload. Every failure throws the same ENVELOPE_OPEN_FAILED.
 */
export function openEnvelope(
  envelope: Uint8Array,
  keyring: EnvelopeKeyring,
  options: OpenOptions,
): Buffer {
  const limit = options.maxPayloadBytes ?? ENVELOPE_MAX_PAYLOAD
  if (!(envelope instanceof Uint8Array)) throw CryptoError.ENVELOPE_OPEN_FAILED()
  const env = asBuffer(envelope)
  if (env.byteLength < ENVELOPE_OVERHEAD || env.byteLength > ENVELOPE_OVERHEAD + limit) {
    throw CryptoError.ENVELOPE_OPEN_FAILED()
  }
  if (env[0] !== ENVELOPE_VERSION) throw CryptoError.ENVELOPE_OPEN_FAILED()
  assertBytes(options.sender, sodium.crypto_sign_PUBLICKEYBYTES, 'sender identity key')
  assertBytes(
    keyring.identityPublicKey,
    sodium.crypto_sign_PUBLICKEYBYTES,
    'recipient identity key',
  )

  const header = env.subarray(0, ENVELOPE_HEADER_BYTES)
  const keyId = header.subarray(1, 1 + KEY_ID_BYTES)
  const ephemeralPublic = header.subarray(1 + KEY_ID_BYTES, 1 + KEY_ID_BYTES + KEY_BYTES)
  const nonce = header.subarray(ENVELOPE_HEADER_BYTES - NONCE_BYTES)
  const keyPair = keyring.findKey(Buffer.from(keyId))
  if (!keyPair) throw CryptoError.ENVELOPE_OPEN_FAILED()

  const shared = Buffer.alloc(KEY_BYTES)
  let key: Buffer | undefined
  const plaintext = Buffer.alloc(env.byteLength - ENVELOPE_HEADER_BYTES - TAG_BYTES)
  try {
    sodium.crypto_scalarmult(shared, keyPair.secretKey, ephemeralPublic)
    key = messageKey(shared, ephemeralPublic, keyPair.publicKey)
    const recipient = {
      identityPublicKey: keyring.identityPublicKey,
      encryptionPublicKey: keyPair.publicKey,
    }
    const binding = bindingOf(header, options.sender, recipient, options.context)
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      plaintext,
      null,
      env.subarray(ENVELOPE_HEADER_BYTES),
      binding,
      nonce,
      key,
    )
    const signature = plaintext.subarray(0, SIG_BYTES)
    const payload = plaintext.subarray(SIG_BYTES)
    if (
      !sodium.crypto_sign_verify_detached(
        signature,
        signedTranscript(binding, payload),
        options.sender,
      )
    ) {
      throw CryptoError.ENVELOPE_OPEN_FAILED()
    }
    return payload
  } catch {
    wipe(plaintext)
    throw CryptoError.ENVELOPE_OPEN_FAILED()
  } finally {
    wipe(shared, key)
  }
}

/** The recipient key id an envelope names, so a node can tell which of its keys it needs. */
export function envelopeKeyId(envelope: Uint8Array): Buffer {
  if (envelope.byteLength < ENVELOPE_OVERHEAD || envelope[0] !== ENVELOPE_VERSION) {
    throw CryptoError.ENVELOPE_OPEN_FAILED()
  }
  return Buffer.from(envelope.subarray(1, 1 + KEY_ID_BYTES))
}

// key = BLAKE2b-256(domain ‖ X25519(e, R) ‖ E ‖ R): binds both public keys into the message key.
function messageKey(
  shared: Buffer,
  ephemeralPublic: Uint8Array,
  recipientPublic: Uint8Array,
): Buffer {
  return blake2b(32, [KEY_DOMAIN, shared, ephemeralPublic, recipientPublic])
}

// Associated data: header ‖ sender ‖ recipient identity ‖ recipient X25519 key ‖ BLAKE2b-256(context).
function bindingOf(
  header: Buffer,
  sender: Uint8Array,
  recipient: EnvelopeRecipient,
  context: Uint8Array | undefined,
): Buffer {
  return Buffer.concat([
    header,
    sender,
    recipient.identityPublicKey,
    recipient.encryptionPublicKey,
    blake2b(32, [CONTEXT_DOMAIN, context ?? EMPTY]),
  ])
}

// What the sender signs: the binding and a hash of the payload, so large payloads are not copied.
function signedTranscript(binding: Buffer, payload: Uint8Array): Buffer {
  return Buffer.concat([SIG_DOMAIN, binding, blake2b(64, [PAYLOAD_DOMAIN, payload])])
}
