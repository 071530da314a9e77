import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MailboxError } from '../../../../src/mailbox/errors.js'
import { decodeEncodedWords } from '../../../../src/mailbox/mime/encoded-words.js'
import { fallbackMessage } from '../../../../src/mailbox/mime/fallback.js'
import { MAX_SCANNED_HEADER_BYTES, scanHeaders } from '../../../../src/mailbox/mime/header-scan.js'
import { expectWellFormed, fixture } from './mime-helpers.js'

const error = MailboxError.PARSE_FAILED('test')
const recover = (raw: string | Buffer, maxTextBytes = 1024 * 1024) =>
  fallbackMessage(Buffer.from(raw), error, maxTextBytes)

describe('fallback header scanner', () => {
  it('recovers the headers of the reply fixture, unfolding References', () => {
    const m = recover(fixture('reply'))
    expect(m).toMatchObject({
      subject: 'Re: Lunch on Thursday?',
      from: [{ name: 'Bob Builder', address: 'bob@example.net' }],
      to: [{ name: 'Alice Example', address: 'alice@example.org' }],
      messageId: '<reply-2@example.net>',
      inReplyTo: '<plain-1@example.org>',
      references: ['<thread-0@example.net>', '<plain-1@example.org>'],
      date: Date.UTC(2025, 2, 4, 10, 2),
      parseError: { code: 'PARSE_FAILED', message: error.message },
      attachments: [],
    })
    expect(m.text).toBe(fixture('reply').toString('utf8'))
  })

  it('decodes RFC 2047 words in the subject and names (iso-8859-1 and UTF-8)', () => {
    const m = recover(fixture('latin1'))
    expect(m.subject).toBe('Café crème et crêpes')
    expect(m.from).toEqual([{ name: 'René Dupré', address: 'rene@example.fr' }])
    // the body is shown as lossy UTF-8: the latin1 bytes become replacement characters
    expect(m.text).toContain('Voil\ufffd le caf\ufffd')
  })

  it('skips garbage lines and bad address entries in the malformed fixture', () => {
    const m = recover(fixture('malformed'))
    expect(m.subject).toBe('Broken but still readable')
    expect(m.from).toEqual([{ name: 'Mallory', address: 'mallory@example.com' }])
    expect(m.to).toEqual([{ name: '', address: 'victim@example.org' }])
    expect(m.messageId).toBe('<malformed-1@example.com>')
    expect(m.date).toBeUndefined()
  })

  it('handles bare LF and bare CR line ends and stops at the blank line', () => {
    expect(recover(fixture('bare-lf')).subject).toBe('Written on a Unix box')
    const cr = recover('Subject: one\r two\rFrom: a@x.org\r\rSubject: body')
    expect(cr.subject).toBe('one two')
    expect(cr.from).toEqual([{ name: '', address: 'a@x.org' }])
  })

  it('keeps the first of repeated headers', () => {
    expect(recover('Subject: first\nSubject: second\n\n').subject).toBe('first')
  })

  it('reads at most the first 64 KiB and caps the text', () => {
    const filler = `X-Filler: ${'f'.repeat(MAX_SCANNED_HEADER_BYTES)}\r\n`
    const m = recover(`${filler}Subject: too late\r\n\r\nbody`, 100)
    expect(m.subject).toBe('')
    expect(m.text).toHaveLength(100)
    const huge = `Subject: ${'s'.repeat(100_000)}\r\n\r\n`
    expect(scanHeaders(Buffer.from(huge)).get('subject')!.length).toBeLessThanOrEqual(16 * 1024)
  })

  it('returns a well-formed message for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expectWellFormed(recover(Buffer.from(bytes)))
      }),
      { numRuns: 300 },
    )
  })
})

describe('decodeEncodedWords', () => {
  it('decodes Q and B words and drops whitespace between adjacent words only', () => {
    expect(decodeEncodedWords('=?utf-8?q?a_b?= =?UTF-8?B?w6k=?= and =?iso-8859-1?Q?=E9?=')).toBe(
      'a bé and é',
    )
    expect(decodeEncodedWords('=?utf-8*en?q?lang?=')).toBe('lang')
  })

  it('leaves unknown charsets and broken words as they are', () => {
    expect(decodeEncodedWords('=?x-unknown?q?abc?= =?utf-8?x?abc?=')).toBe(
      '=?x-unknown?q?abc?= =?utf-8?x?abc?=',
    )
    expect(decodeEncodedWords('plain text')).toBe('plain text')
  })

  it('returns on adversarial input (no timing asserted: it must simply finish)', () => {
    const inputs = [
      '=?'.repeat(50_000),
      `=?utf-8?q?${'a'.repeat(100_000)}`,
      '=?a?q?=?a?q?'.repeat(9000),
    ]
    for (const input of inputs) expect(typeof decodeEncodedWords(input)).toBe('string')
  })
})
