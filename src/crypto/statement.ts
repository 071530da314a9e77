import sodium from 'sodium-native'
import { assertBytes } from './bytes.js'
import { CryptoError } from './errors.js'
import type { SigningKeyPair } from './keys.js'

export const SIGNATURE_BYTES = sodium.crypto_sign_BYTES

/**
 * Domain-separated Ed25519 signatures over a list of byte strings (docs/protocol.md §9):
 *
 *   signed = domain ‖ 0x00 ‖ (u32be(len) ‖ part)*
 *
 * The domain names what is being signed (`peermail/v1/profile`, …), so a signature made for one purpose
 * never verifies as another; the length prefixes keep part boundaries unambiguous.
 */
export function signStatement(domain: string, parts: Uint8Array[], signer: SigningKeyPair): Buffer {
  assertBytes(signer.secretKey, sodium.crypto_sign_SECRETKEYBYTES, 'signing secret key')
  const signature = Buffer.alloc(SIGNATURE_BYTES)
  sodium.crypto_sign_detached(signature, statementBytes(domain, parts), signer.secretKey)
  return signature
}

/** True when `signature` is `publicKey`'s signature of the statement. Never throws on bad input bytes. */
export function verifyStatement(
  domain: string,
  parts: Uint8Array[],
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (signature.byteLength !== SIGNATURE_BYTES) return false
  if (publicKey.byteLength !== sodium.crypto_sign_PUBLICKEYBYTES) return false
  return sodium.crypto_sign_verify_detached(signature, statementBytes(domain, parts), publicKey)
}

function statementBytes(domain: string, parts: Uint8Array[]): Buffer {
  if (!/^[\x21-\x7e]{1,64}$/.test(domain)) throw CryptoError.INVALID_ARGUMENT('statement domain')
  const chunks: Uint8Array[] = [Buffer.from(domain, 'ascii'), Buffer.from([0])]
  for (const part of parts) {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(part.byteLength)
    chunks.push(length, part)
  }
  return Buffer.concat(chunks)
}
