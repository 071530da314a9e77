import { randomBytes } from '../crypto/index.js'

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz'
const MAX_DATE = 9_999_999_999_999

/**
 * A new message id: 48 bits of milliseconds then 80 random bits, Crockford base32 (26 characters), so ids
 * sort by creation time and never collide in practice.
 */
export function newMessageId(now = Date.now()): string {
  const bytes = Buffer.alloc(16)
  bytes.writeUIntBE(Math.max(0, Math.min(now, 2 ** 48 - 1)), 0, 6)
  randomBytes(10).copy(bytes, 6)
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += CROCKFORD.charAt((value >>> (bits - 5)) & 31)
      bits -= 5
    }
    value &= (1 << bits) - 1
  }
  if (bits > 0) out += CROCKFORD.charAt((value << (5 - bits)) & 31)
  return out
}

/** True for strings shaped like {@link newMessageId} output (ids from outside are checked first). */
export function isMessageId(id: unknown): id is string {
  return typeof id === 'string' && /^[0-9a-hjkmnp-tv-z]{26}$/.test(id)
}

/** Sort key that lists newest first in a forward scan: inverted date, then id as a tie-break. */
export function newestFirstKey(date: number, id: string): string {
  const clamped = Math.max(0, Math.min(MAX_DATE, Math.floor(date)))
  return String(MAX_DATE - clamped).padStart(13, '0') + id
}
