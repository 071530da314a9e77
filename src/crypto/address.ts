import z32 from 'z32'
import sodium from 'sodium-native'
import { assertBytes, blake2b, constantTimeEqual } from './bytes.js'
import { CryptoError } from './errors.js'

/**
 * A Peermail address: `pm1` followed by z-base-32 of (identity public key ‖ 4-byte checksum).
 * `pm` marks it as ours, `1` is the format version, and the checksum (covering the version too) catches
 * mistyped and truncated addresses instead of turning them into a different key.
 * Layout and vectors: docs/protocol.md §3.
 */
export const ADDRESS_PREFIX = 'pm'
export const ADDRESS_VERSION = '1'
const CHECKSUM_BYTES = 4
const CHECKSUM_DOMAIN = Buffer.from('peermail/v1/address')
const BODY_CHARS = Math.ceil(((32 + CHECKSUM_BYTES) * 8) / 5)
/** Length of every version-1 address, in characters. */
export const ADDRESS_LENGTH = ADDRESS_PREFIX.length + ADDRESS_VERSION.length + BODY_CHARS
const Z32_CHARS = new RegExp(`^[${z32.ALPHABET}]+$`)

/** Encodes an Ed25519 identity public key as an address. */
export function encodeAddress(publicKey: Uint8Array): string {
  assertBytes(publicKey, sodium.crypto_sign_PUBLICKEYBYTES, 'identity public key')
  const body = Buffer.concat([publicKey, checksum(ADDRESS_VERSION, publicKey)])
  return ADDRESS_PREFIX + ADDRESS_VERSION + z32.encode(body)
}

/**
 * Decodes an address to the identity public key. Case and surrounding white space are ignored; anything
 * else that is off throws ADDRESS_FORMAT, ADDRESS_VERSION or ADDRESS_CHECKSUM.
 */
export function decodeAddress(address: string): Buffer {
  if (typeof address !== 'string') throw CryptoError.ADDRESS_FORMAT('not a string')
  const text = address.trim().toLowerCase()
  if (!text.startsWith(ADDRESS_PREFIX))
    throw CryptoError.ADDRESS_FORMAT(`must start with "${ADDRESS_PREFIX}"`)
  const version = text.slice(ADDRESS_PREFIX.length, ADDRESS_PREFIX.length + 1)
  if (version !== ADDRESS_VERSION) throw CryptoError.ADDRESS_VERSION(ADDRESS_PREFIX + version)
  const body = text.slice(ADDRESS_PREFIX.length + 1)
  if (!Z32_CHARS.test(body))
    throw CryptoError.ADDRESS_FORMAT('contains characters outside z-base-32')
  if (body.length !== BODY_CHARS) {
    throw CryptoError.ADDRESS_FORMAT(
      `must be ${ADDRESS_LENGTH} characters long, not ${text.length}`,
    )
  }
  const bytes = z32.decode(body)
  const publicKey = bytes.subarray(0, 32)
  const sum = bytes.subarray(32, 32 + CHECKSUM_BYTES)
  // The last character carries 2 padding bits; a non-zero pad would be a second spelling of one key.
  if (z32.encode(bytes) !== body || !constantTimeEqual(sum, checksum(version, publicKey))) {
    throw CryptoError.ADDRESS_CHECKSUM()
  }
  return Buffer.from(publicKey)
}

/** True when `address` decodes; never throws. */
export function isAddress(address: string): boolean {
  try {
    decodeAddress(address)
    return true
  } catch {
    return false
  }
}

function checksum(version: string, publicKey: Uint8Array): Buffer {
  return blake2b(16, [CHECKSUM_DOMAIN, Buffer.from(version), publicKey]).subarray(0, CHECKSUM_BYTES)
}
