import { describe, expect, it } from 'vitest'
import { parseAddressList, validateMailAddress } from '../../../../src/mailbox/mime/index.js'

const codeOf = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code'
  }
  return 'no error'
}
const check = (address: string, name = '') => codeOf(() => validateMailAddress({ name, address }))

describe('validateMailAddress', () => {
  it('accepts ordinary addresses and returns a clean copy', () => {
    for (const address of [
      'alice@example.org',
      'first.last+tag@sub.example.org',
      "o'brien@example.ie",
      'x_y-z@a-b.example.co.uk',
      'UPPER@EXAMPLE.ORG',
    ]) {
      expect(check(address), address).toBe('no error')
    }
    const extra = { name: 'Alice', address: 'alice@example.org', group: ['x'] }
    expect(validateMailAddress(extra)).toEqual({ name: 'Alice', address: 'alice@example.org' })
  })

  it('rejects the nodemailer advisory shapes and other non-dot-atom addresses', () => {
    for (const address of [
      'a@good.com(x)evil.com', // comment: nodemailer once delivered this to evil.com
      '"a"@x.com',
      'a@x.com>',
      '<a@x.com>',
      'a b@x.com',
      'a@b@x.com',
      'a..b@x.com',
      '.a@x.com',
      'a.@x.com',
      'a@x',
      'a@-x.com',
      'a@x-.com',
      'a@x..com',
      'a@[127.0.0.1]',
      'a@1.2.3.4',
      'a@x.com\r\nBcc: evil@y.com',
      'a\u0000@x.com',
      'ünïcödé@x.com',
      '@x.com',
      'a@',
      '',
    ]) {
      expect(check(address), JSON.stringify(address)).toBe('ADDRESS_INVALID')
    }
  })

  it('rejects names with line breaks or NUL, and overlong names', () => {
    expect(check('a@x.com', 'Alice\r\nBcc: evil@y.com')).toBe('ADDRESS_INVALID')
    expect(check('a@x.com', 'Alice\nX')).toBe('ADDRESS_INVALID')
    expect(check('a@x.com', 'Alice\u0000')).toBe('ADDRESS_INVALID')
    expect(check('a@x.com', 'n'.repeat(201))).toBe('ADDRESS_INVALID')
    expect(check('a@x.com', 'n'.repeat(200))).toBe('no error')
    expect(check('a@x.com', 'Zoë, "the Boss" (admin)')).toBe('no error')
  })

  it('rejects overlong input', () => {
    expect(check(`${'a'.repeat(64)}@example.org`)).toBe('no error')
    expect(check(`${'a'.repeat(65)}@example.org`)).toBe('ADDRESS_INVALID')
    expect(check(`a@${'b'.repeat(64)}.org`)).toBe('ADDRESS_INVALID')
    const at254 = `aaaaa@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(61)}.org`
    expect(at254.length).toBe(254)
    expect(check(at254)).toBe('no error')
    expect(check(`x${at254}`)).toBe('ADDRESS_INVALID')
    expect(check('a'.repeat(1_000_000))).toBe('ADDRESS_INVALID')
  })

  it('returns on ReDoS-shaped input (no timing asserted: it must simply finish)', () => {
    for (const address of [
      `${'a.'.repeat(120)}@x.com`,
      `${'a'.repeat(60)}!@${'b-'.repeat(90)}`,
      `a@${'a'.repeat(62)}-`,
      `${'('.repeat(100)}a@x.com`,
      `a@${'x.'.repeat(126)}`,
    ]) {
      expect(check(address)).toBe('ADDRESS_INVALID')
    }
    expect(codeOf(() => parseAddressList(`${'"'.repeat(30_000)}<`.repeat(2)))).toBe(
      'ADDRESS_INVALID',
    )
    expect(codeOf(() => parseAddressList('<'.repeat(60_000)))).toBe('ADDRESS_INVALID')
  })

  it('rejects values that are not address objects', () => {
    expect(codeOf(() => validateMailAddress(null as never))).toBe('ADDRESS_INVALID')
    expect(codeOf(() => validateMailAddress({ address: 'a@x.com' } as never))).toBe(
      'ADDRESS_INVALID',
    )
    expect(codeOf(() => validateMailAddress({ name: '', address: 7 } as never))).toBe(
      'ADDRESS_INVALID',
    )
  })
})

describe('parseAddressList', () => {
  it('parses names, bare addresses, quoted names with commas and both separators', () => {
    expect(
      parseAddressList('Alice <a@x.org>, b@y.org; "Doe, \\"Bob\\"" <bob@z.org>,, ').map((a) => [
        a.name,
        a.address,
      ]),
    ).toEqual([
      ['Alice', 'a@x.org'],
      ['', 'b@y.org'],
      ['Doe, "Bob"', 'bob@z.org'],
    ])
    expect(parseAddressList('   ')).toEqual([])
  })

  it('rejects any bad entry, text after the address and unbalanced brackets', () => {
    for (const list of [
      'Alice <a@good.com(x)evil.com>',
      'a@x.com>',
      'Alice <a@x.com> evil@y.com',
      'Alice <a@x.com',
      'ok@x.org, not an address',
      'Eve\r\nBcc: x@y.com <e@x.org>',
    ]) {
      expect(
        codeOf(() => parseAddressList(list)),
        list,
      ).toBe('ADDRESS_INVALID')
    }
  })

  it('is bounded in length and in entries', () => {
    expect(codeOf(() => parseAddressList('a@x.org,'.repeat(1000)))).toBe('no error')
    expect(codeOf(() => parseAddressList('a@x.org,'.repeat(1001)))).toBe('ADDRESS_INVALID')
    expect(codeOf(() => parseAddressList(' '.repeat(64 * 1024 + 1)))).toBe('ADDRESS_INVALID')
  })
})
