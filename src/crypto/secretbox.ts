import sodium from 'sodium-native'
import { asBuffer, assertBytes, randomBytes } from './bytes.js'
import { CryptoError } from './errors.js'

/**
 * Symmetric authenticated encryption for data at rest: XChaCha20-Poly1305 with a fresh random 24-byte
 * nonce per box, `box = nonce(24) ‖ ciphertext ‖ tag(16)`. Random nonces are safe at this size (2^96
 * boxes before a collision is likely). `ad` binds where the box belongs (e.g. record id and position).
 */
export const SECRETBOX_KEY_BYTES = 32
export const SECRETBOX_OVERHEAD =
  sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
  sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES
const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES

/** Encrypts `plaintext` under `key`, binding `ad`. */
export function sealSecretBox(key: Uint8Array, plaintext: Uint8Array, ad?: Uint8Array): Buffer {
  assertBytes(key, SECRETBOX_KEY_BYTES, 'secretbox key')
  const box = Buffer.alloc(plaintext.byteLength + SECRETBOX_OVERHEAD)
  const nonce = randomBytes(NONCE_BYTES)
  nonce.copy(box)
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    box.subarray(NONCE_BYTES),
    plaintext,
    ad ?? null,
    null,
    nonce,
    key,
  )
  return box
}

/**
 * Decrypts a box; throws SECRETBOX_OPEN_FAILED if it was altered, misplaced or sealed under another key.
 * `into`, when given, receives the plaintext (it must be exactly the plaintext's length), so large data
 * read in pieces can be decrypted in place without a second copy.
 */
export function openSecretBox(
  key: Uint8Array,
  box: Uint8Array,
  ad?: Uint8Array,
  into?: Buffer,
): Buffer {
  assertBytes(key, SECRETBOX_KEY_BYTES, 'secretbox key')
  if (!(box instanceof Uint8Array) || box.byteLength < SECRETBOX_OVERHEAD) {
    throw CryptoError.SECRETBOX_OPEN_FAILED()
  }
  const b = asBuffer(box)
  const length = b.byteLength - SECRETBOX_OVERHEAD
  if (into !== undefined && into.byteLength !== length) throw CryptoError.SECRETBOX_OPEN_FAILED()
  const plaintext = into ?? Buffer.alloc(length)
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      plaintext,
      null,
      b.subarray(NONCE_BYTES),
      ad ?? null,
      b.subarray(0, NONCE_BYTES),
      key,
    )
  } catch {
    throw CryptoError.SECRETBOX_OPEN_FAILED()
  }
  return plaintext
}
