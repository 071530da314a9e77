/** The recovery phrase's guess limit and serve's test-only difficulty knob, with a hand-moved clock. */
import { describe, expect, test } from 'vitest'
import { AttemptLimit } from '../../../src/shared/attempt-limit.js'
import { testStampDifficulty } from '../../../src/cli/commands/serve.js'

describe('AttemptLimit', () => {
  test('allows max attempts per window, refuses the next with the wait, frees up as time passes', () => {
    let now = 1_000_000
    const limit = new AttemptLimit({ max: 3, windowMs: 60_000, now: () => now })
    expect([limit.take(), limit.take()]).toEqual([0, 0])
    now += 10_000
    expect(limit.take()).toBe(0)
    // The oldest attempt leaves the window 60 s after it was made.
    expect(limit.take()).toBe(50_000)
    now += 49_999
    expect(limit.take()).toBe(1)
    now += 1
    expect(limit.take()).toBe(0)
    // Refused attempts were not recorded: the third one (at +10 s) is now the oldest.
    expect(limit.take()).toBe(0)
    expect(limit.take()).toBeGreaterThan(0)
  })
})

describe('PEERMAIL_TEST_STAMP_DIFFICULTY', () => {
  test('unset means the default; values are clamped to 1..16; anything else is refused', () => {
    const knob = (value?: string) =>
      testStampDifficulty(value === undefined ? {} : { PEERMAIL_TEST_STAMP_DIFFICULTY: value })
    expect(knob()).toBeUndefined()
    expect(knob('')).toBeUndefined()
    expect(knob('8')).toBe(8)
    expect(knob('0')).toBe(1)
    expect(knob('40')).toBe(16)
    for (const bad of ['-1', '8.5', 'eight', '1e3', '9999'])
      expect(() => knob(bad), bad).toThrow(/whole number/)
  })
})
