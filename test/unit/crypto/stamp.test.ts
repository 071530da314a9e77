import { describe, expect, it } from 'vitest'
import {
  mintStamp,
  mintStampAsync,
  stampMessageHash,
  verifyStamp,
} from '../../../src/crypto/index.js'
import { makeAccount } from '../../helpers/accounts.js'

const sender = makeAccount().identity.publicKey
const recipient = makeAccount().identity.publicKey
const subject = { sender, recipient, messageHash: stampMessageHash(Buffer.from('hello')) }
const now = 1_800_000_000_000
const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code
  }
  return 'no error'
}

describe('proof-of-work stamp', () => {
  it('mints a stamp that meets the difficulty', () => {
    const stamp = mintStamp(subject, 10, now)
    expect(verifyStamp(stamp, subject, { difficulty: 10, now })).toBeGreaterThanOrEqual(10)
  })

  it('mints asynchronously, letting other work run between batches', async () => {
    const order: string[] = []
    setImmediate(() => order.push('other work'))
    const stamp = await mintStampAsync(subject, 14, now)
    order.push('minted')
    expect(verifyStamp(stamp, subject, { difficulty: 14, now })).toBeGreaterThanOrEqual(14)
    expect(order).toEqual(['other work', 'minted'])
  })

  it('is bound to sender, recipient and message', () => {
    const stamp = mintStamp(subject, 12, now)
    const other = makeAccount().identity.publicKey
    // Against a different subject a 12-bit stamp still passes by chance 1 time in 4096, hence "at least 2".
    const strict = { difficulty: 12, now }
    const results = [
      { ...subject, sender: other },
      { ...subject, recipient: other },
      { ...subject, messageHash: stampMessageHash(Buffer.from('other')) },
    ].map((s) => code(() => verifyStamp(stamp, s, strict)))
    expect(results.filter((r) => r === 'STAMP_INSUFFICIENT').length).toBeGreaterThanOrEqual(2)
  })

  it('rejects a stamp below the required difficulty', () => {
    const stamp = mintStamp(subject, 4, now)
    const achieved = verifyStamp(stamp, subject, { difficulty: 4, now })
    expect(code(() => verifyStamp(stamp, subject, { difficulty: achieved + 1, now }))).toBe(
      'STAMP_INSUFFICIENT',
    )
  })

  it('rejects stamps from the far past or the future', () => {
    const stamp = mintStamp(subject, 4, now)
    const day = 24 * 3600 * 1000
    expect(code(() => verifyStamp(stamp, subject, { difficulty: 4, now: now + 31 * day }))).toBe(
      'STAMP_EXPIRED',
    )
    expect(
      code(() => verifyStamp(stamp, subject, { difficulty: 4, now: now - 11 * 60 * 1000 })),
    ).toBe('STAMP_EXPIRED')
    expect(
      verifyStamp(stamp, subject, { difficulty: 4, now: now + 29 * day }),
    ).toBeGreaterThanOrEqual(4)
  })

  it('rejects malformed stamps and difficulties', () => {
    expect(code(() => verifyStamp(Buffer.alloc(5), subject, { difficulty: 1, now }))).toBe(
      'STAMP_INVALID',
    )
    const stamp = mintStamp(subject, 1, now)
    stamp[0] = 9
    expect(code(() => verifyStamp(stamp, subject, { difficulty: 1, now }))).toBe('STAMP_INVALID')
    expect(code(() => mintStamp(subject, 33, now))).toBe('INVALID_ARGUMENT')
    expect(code(() => mintStamp(subject, -1, now))).toBe('INVALID_ARGUMENT')
    expect(code(() => mintStamp({ ...subject, sender: Buffer.alloc(3) }, 1, now))).toBe(
      'INVALID_ARGUMENT',
    )
  })

  it('finds valid stamps every time', () => {
    for (let i = 0; i < 20; i++) {
      const s = mintStamp(subject, 8, now + i)
      expect(verifyStamp(s, subject, { difficulty: 8, now })).toBeGreaterThanOrEqual(8)
    }
  })
})
