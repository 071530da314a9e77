import { describe, expect, it } from 'vitest'
import { asctime, formatFromLine } from '../../../../src/mailbox/formats/index.js'
import { isStrictFromLine } from '../../../../src/mailbox/formats/from-line.js'

describe('From_ lines', () => {
  it('formats dates as asctime in UTC', () => {
    expect(asctime(new Date(Date.UTC(2026, 0, 1)))).toBe('Thu Jan  1 00:00:00 2026')
    expect(asctime(new Date(Date.UTC(1999, 11, 31, 23, 59, 59)))).toBe('Fri Dec 31 23:59:59 1999')
  })

  it('keeps the sender one printable token, and falls back for missing parts', () => {
    const date = new Date(Date.UTC(2026, 0, 1))
    expect(formatFromLine('alice@example.org', date)).toBe(
      'From alice@example.org Thu Jan  1 00:00:00 2026',
    )
    expect(formatFromLine('a b\r\nc\0é', date)).toBe('From a_b__c__ Thu Jan  1 00:00:00 2026')
    expect(formatFromLine(undefined, date)).toBe('From MAILER-DAEMON Thu Jan  1 00:00:00 2026')
    expect(formatFromLine('', new Date(Number.NaN))).toMatch(
      /^From MAILER-DAEMON \w{3} \w{3} [ \d]\d /,
    )
  })

  it('recognises the From_ lines real writers produce, and not prose', () => {
    expect(isStrictFromLine('From - Thu Jan 01 09:15:02 2026')).toBe(true)
    expect(isStrictFromLine('From 1820345678901234567@xxx Mon Jan 05 10:00:01 +0000 2026')).toBe(
      true,
    )
    expect(isStrictFromLine('From alice@example.org Thu Jan  1 00:00:00 2026')).toBe(true)
    expect(isStrictFromLine('From me to you, on Thu Jan 1')).toBe(false)
    expect(isStrictFromLine('From the editor: Thu Jan  1 00:00:00 2026')).toBe(false)
    expect(isStrictFromLine('From Bob Thu Jan  1 00:00 we met')).toBe(true) // the known limit
  })
})
