import sodium from 'sodium-native'
import { asBuffer, assertBytes, blake2b, randomBytes, uint64be } from './bytes.js'
import { CryptoError } from './errors.js'

/**
 * Proof-of-work stamps for first contact (Hashcash over BLAKE2b). A stamp proves the sender spent about
 * 2^difficulty hashes on this one message to this one recipient at this time; checking it costs one hash.
 *
 *   stamp = version(1) ‖ time(8, ms since epoch, big-endian) ‖ nonce(8)
 *   work  = BLAKE2b-256(domain ‖ sender ‖ recipient ‖ messageHash ‖ stamp)
 *
 * The stamp is good for difficulty d when `work` starts with at least d zero bits. docs/protocol.md §7.
 */
export const STAMP_VERSION = 1
export const STAMP_BYTES = 1 + 8 + 8
/** Recipients may not ask for more than this: 2^32 hashes is hours of work. */
export const STAMP_MAX_DIFFICULTY = 32
const DOMAIN = Buffer.from('peermail/v1/stamp')
const MESSAGE_DOMAIN = Buffer.from('peermail/v1/stamp-message')

/** What a stamp is bound to. */
export interface StampSubject {
  sender: Uint8Array
  recipient: Uint8Array
  /** {@link stampMessageHash} of the message the stamp travels with. */
  messageHash: Uint8Array
}

export interface StampCheck {
  /** Least number of leading zero bits the recipient accepts. */
  difficulty: number
  /** Current time in ms; default `Date.now()`. */
  now?: number
  /** Oldest accepted stamp age; default 30 days, since mail can wait on a relay. */
  maxAgeMs?: number
  /** Tolerated clock skew into the future; default 10 minutes. */
  maxSkewMs?: number
}

/** The hash a stamp commits to, from the message bytes. */
export function stampMessageHash(message: Uint8Array): Buffer {
  return blake2b(32, [MESSAGE_DOMAIN, message])
}

/** Finds a stamp for `difficulty` (blocking; see {@link mintStampAsync} for long searches). */
export function mintStamp(subject: StampSubject, difficulty: number, now = Date.now()): Buffer {
  const search = startSearch(subject, difficulty, now)
  for (;;) {
    const found = search.step(1 << 16)
    if (found) return found
  }
}

/** Like {@link mintStamp}, yielding to the event loop between batches so the process stays responsive. */
export async function mintStampAsync(
  subject: StampSubject,
  difficulty: number,
  now = Date.now(),
): Promise<Buffer> {
  const search = startSearch(subject, difficulty, now)
  for (;;) {
    // Yield before every batch (the first too), so pending I/O always gets a turn.
    await new Promise((resolve) => setImmediate(resolve))
    const found = search.step(1 << 12)
    if (found) return found
  }
}

/**
 * Checks a stamp and returns the difficulty it achieves. Throws STAMP_INVALID (malformed, or not for this
 * subject), STAMP_EXPIRED (outside the time window) or STAMP_INSUFFICIENT.
 */
export function verifyStamp(stamp: Uint8Array, subject: StampSubject, check: StampCheck): number {
  checkSubject(subject)
  checkDifficulty(check.difficulty)
  if (!(stamp instanceof Uint8Array) || stamp.byteLength !== STAMP_BYTES) {
    throw CryptoError.STAMP_INVALID(`must be ${STAMP_BYTES} bytes`)
  }
  const bytes = asBuffer(stamp)
  if (bytes[0] !== STAMP_VERSION) throw CryptoError.STAMP_INVALID(`unknown version ${bytes[0]}`)
  const time = Number(bytes.readBigUInt64BE(1))
  const now = check.now ?? Date.now()
  const maxAge = check.maxAgeMs ?? 30 * 24 * 3600 * 1000
  const maxSkew = check.maxSkewMs ?? 10 * 60 * 1000
  if (time > now + maxSkew || time < now - maxAge) throw CryptoError.STAMP_EXPIRED()
  const achieved = leadingZeroBits(workHash(subject, bytes))
  if (achieved < check.difficulty) throw CryptoError.STAMP_INSUFFICIENT(achieved, check.difficulty)
  return achieved
}

function startSearch(subject: StampSubject, difficulty: number, now: number) {
  checkSubject(subject)
  checkDifficulty(difficulty)
  const stamp = Buffer.alloc(STAMP_BYTES)
  stamp[0] = STAMP_VERSION
  uint64be(now).copy(stamp, 1)
  // Random start so two searches for the same subject do not repeat each other's work.
  let counter = randomBytes(8).readBigUInt64BE() >> 1n
  const prefix = Buffer.concat([DOMAIN, subject.sender, subject.recipient, subject.messageHash])
  const out = Buffer.alloc(32)
  return {
    step(tries: number): Buffer | undefined {
      for (let i = 0; i < tries; i++) {
        stamp.writeBigUInt64BE(counter, 9)
        counter = (counter + 1n) & 0xffffffffffffffffn
        sodium.crypto_generichash_batch(out, [prefix, stamp])
        if (leadingZeroBits(out) >= difficulty) return Buffer.from(stamp)
      }
      return undefined
    },
  }
}

function workHash(subject: StampSubject, stamp: Buffer): Buffer {
  return blake2b(32, [DOMAIN, subject.sender, subject.recipient, subject.messageHash, stamp])
}

function leadingZeroBits(hash: Buffer): number {
  let bits = 0
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8
      continue
    }
    return bits + Math.clz32(byte) - 24
  }
  return bits
}

function checkSubject(subject: StampSubject): void {
  assertBytes(subject.sender, 32, 'stamp sender')
  assertBytes(subject.recipient, 32, 'stamp recipient')
  assertBytes(subject.messageHash, 32, 'stamp message hash')
}

function checkDifficulty(difficulty: number): void {
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > STAMP_MAX_DIFFICULTY) {
    throw CryptoError.INVALID_ARGUMENT(
      `difficulty must be an integer from 0 to ${STAMP_MAX_DIFFICULTY}`,
    )
  }
}
