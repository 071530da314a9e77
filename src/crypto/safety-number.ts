import z32 from 'z32'
import sodium from 'sodium-native'
import { assertBytes, blake2b, constantTimeEqual } from './bytes.js'

/**
 * Safety numbers: what two people compare (read aloud or scan) to know they hold each other's real keys.
 * Each identity gets a 30-digit fingerprint from an iterated hash (iterations make it costly to grind a
 * key whose digits collide with someone's); the pair's number is both fingerprints, ordered by public
 * key, so both sides see the same 60 digits. Spec and vectors: docs/protocol.md §6.
 */
const DOMAIN = Buffer.from('peermail/v1/safety-number')
const ITERATIONS = 5200
const DIGIT_GROUPS = 6
const CODE_PREFIX = 'peermail-safety:1:'

/** 60 digits in 12 groups of five, the same for `a`→`b` as for `b`→`a`. */
export function safetyNumber(a: Uint8Array, b: Uint8Array): string {
  const [first, second] = ordered(a, b)
  return [...digitGroups(fingerprint(first)), ...digitGroups(fingerprint(second))].join(' ')
}

/**
 * One identity's 30 digits (six groups of five): its half of every safety number it is part of, so a
 * person can read their own out (`peermail whoami`) and a contact finds them in the pair's 60 digits.
 */
export function identityNumber(publicKey: Uint8Array): string {
  return digitGroups(fingerprint(publicKey)).join(' ')
}

/** Compact form for a QR code: both fingerprints, ordered by key, in z-base-32. */
export function safetyCode(a: Uint8Array, b: Uint8Array): string {
  const [first, second] = ordered(a, b)
  return CODE_PREFIX + z32.encode(Buffer.concat([fingerprint(first), fingerprint(second)]))
}

/** True when a scanned code is the one for these two identities (either order). */
export function verifySafetyCode(code: string, a: Uint8Array, b: Uint8Array): boolean {
  if (typeof code !== 'string' || !code.startsWith(CODE_PREFIX)) return false
  const expected = Buffer.from(safetyCode(a, b))
  return constantTimeEqual(Buffer.from(code.trim()), expected)
}

/** The 32-byte iterated fingerprint of one identity key. */
export function fingerprint(publicKey: Uint8Array): Buffer {
  assertBytes(publicKey, sodium.crypto_sign_PUBLICKEYBYTES, 'identity public key')
  let hash = blake2b(64, [DOMAIN, publicKey])
  for (let i = 1; i < ITERATIONS; i++) hash = blake2b(64, [hash, publicKey])
  return hash.subarray(0, 32)
}

// Five digits from each 5-byte chunk (a 40-bit integer mod 100000), as Signal does.
function digitGroups(print: Buffer): string[] {
  const groups: string[] = []
  for (let i = 0; i < DIGIT_GROUPS; i++) {
    const chunk = print.readUIntBE(i * 5, 5)
    groups.push(String(chunk % 100000).padStart(5, '0'))
  }
  return groups
}

function ordered(a: Uint8Array, b: Uint8Array): [Uint8Array, Uint8Array] {
  return Buffer.compare(a, b) <= 0 ? [a, b] : [b, a]
}
