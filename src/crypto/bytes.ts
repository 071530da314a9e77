import sodium from 'sodium-native'
import { CryptoError } from './errors.js'

/** Fresh random bytes from the OS CSPRNG (libsodium `randombytes_buf`). */
export function randomBytes(length: number): Buffer {
  const out = Buffer.alloc(length)
  sodium.randombytes_buf(out)
  return out
}

/** Source of randomness; injectable only so known-answer tests can fix it. */
export type RandomSource = (length: number) => Buffer

/** Overwrites secret bytes in place; safe to call with `undefined`. */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) if (b) sodium.sodium_memzero(b)
}

/** Constant-time equality for equal-length inputs; false when lengths differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && sodium.sodium_memcmp(a, b)
}

/** BLAKE2b of the concatenated parts, `length` bytes (16..64). */
export function blake2b(length: number, parts: Uint8Array[], key?: Uint8Array): Buffer {
  const out = Buffer.alloc(length)
  if (key) sodium.crypto_generichash_batch(out, parts, key)
  else sodium.crypto_generichash_batch(out, parts)
  return out
}

/** Encodes `n` (0 ≤ n < 2^53) as 8 bytes, big-endian. */
export function uint64be(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw CryptoError.INVALID_ARGUMENT(`uint64 ${n}`)
  const out = Buffer.alloc(8)
  out.writeBigUInt64BE(BigInt(n))
  return out
}

/** Throws INVALID_ARGUMENT unless `value` is a byte array of exactly `length` bytes. */
export function assertBytes(value: unknown, length: number, name: string): asserts value is Buffer {
  if (!(value instanceof Uint8Array) || value.byteLength !== length) {
    throw CryptoError.INVALID_ARGUMENT(`${name} must be ${length} bytes`)
  }
}

/** Views any Uint8Array as a Buffer without copying. */
export function asBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value)
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}
