import { describe, expect, it } from 'vitest'
import { prepareSubmittedMail } from '../../../src/client/submitted-mail.js'
import { deriveAccountKeys, encodeAddress, generateSeed } from '../../../src/crypto/index.js'
import { code, errorOf } from '../../helpers/errors.js'

const peer = () =>
  `${encodeAddress(deriveAccountKeys(generateSeed()).identity.publicKey)}@peermail.invalid`
const me = peer()
const bob = peer()
const carol = peer()
const alias = 'alice@bridge.example'

const message = (...lines: string[]) => Buffer.from(lines.join('\r\n'))
const base = {
  from: me,
  own: [me, alias],
  ordinary: false,
  now: () => new Date('2026-11-22T10:00:00Z'),
}

describe('prepareSubmittedMail', () => {
  it('sends as the account: From replaced, Bcc/Sender/Return-Path removed, the rest kept byte for byte', () => {
    const body = '--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n'
    const raw = message(
      'Return-Path: <someone@else.example>',
      `From: "Alice Smith" <${alias.toUpperCase()}>`,
      'Sender: other@else.example',
      `To: Bob <${bob}>`,
      `Bcc: ${carol}`,
      'Subject: =?UTF-8?Q?caf=C3=A9?=',
      'Date: Sat, 21 Nov 2026 09:00:00 +0100',
      'Message-ID: <kept@client.example>',
      'X-Mailer: Thunderbird',
      'Content-Type: multipart/mixed;',
      ' boundary="b"',
      '',
      body,
    )
    const out = prepareSubmittedMail(raw, { ...base, recipients: [bob, carol] })
    expect(out.raw.toString('latin1')).toBe(
      [
        `From: <${me}>`,
        `To: Bob <${bob}>`,
        'Subject: =?UTF-8?Q?caf=C3=A9?=',
        'Date: Sat, 21 Nov 2026 09:00:00 +0100',
        'Message-ID: <kept@client.example>',
        'X-Mailer: Thunderbird',
        'Content-Type: multipart/mixed;',
        ' boundary="b"',
        '',
        body,
      ].join('\r\n'),
    )
    // Every envelope recipient gets it, the Bcc one included.
    expect(out.recipients.map((r) => `${r.address}@peermail.invalid`).sort()).toEqual(
      [bob, carol].sort(),
    )
    expect(out.ordinary).toEqual([])
  })

  it('adds a Date and a Message-ID when the client gave none, and a blank line when there is no body', () => {
    const out = prepareSubmittedMail(message(`From: ${me}`, `To: ${bob}`, 'Subject: hi'), {
      ...base,
      recipients: [bob],
    })
    const text = out.raw.toString('latin1')
    expect(text).toMatch(
      new RegExp(
        `^From: <${me}>\\r\\nTo: ${bob}\\r\\nSubject: hi\\r\\n` +
          'Date: Sun, 22 Nov 2026 10:00:00 \\+0000\\r\\n' +
          'Message-ID: <[0-9a-f]{32}@peermail\\.invalid>\\r\\n\\r\\n$',
      ),
    )
  })

  it('refuses mail from anyone but the account, with the addresses it may use', () => {
    const from = (value: string) =>
      errorOf(() =>
        prepareSubmittedMail(message(`From: ${value}`, '', 'x'), { ...base, recipients: [bob] }),
      )
    for (const value of [bob, 'mallory@evil.example', `${alias}, ${me}`, 'not an address <']) {
      const err = from(value)
      expect(code(err)).toBe('INVALID_INPUT')
    }
    expect((from('mallory@evil.example') as Error).message).toContain(alias)
    const twice = errorOf(() =>
      prepareSubmittedMail(message(`From: ${me}`, `From: ${me}`, '', 'x'), {
        ...base,
        recipients: [bob],
      }),
    )
    expect((twice as Error).message).toContain('exactly one From')
    const none = errorOf(() =>
      prepareSubmittedMail(message(`To: ${bob}`, '', 'x'), { ...base, recipients: [bob] }),
    )
    expect(code(none)).toBe('INVALID_INPUT')
  })

  it('refuses bare line endings, header lines that are not fields and empty messages', () => {
    for (const raw of [
      Buffer.from(`From: ${me}\nTo: ${bob}\r\n\r\nx`),
      Buffer.from(`From: ${me}\r\n\r\nbody\rmore`),
      message(`From: ${me}`, 'this is not a field', '', 'x'),
      Buffer.alloc(0),
    ]) {
      expect(code(errorOf(() => prepareSubmittedMail(raw, { ...base, recipients: [bob] })))).toBe(
        'INVALID_INPUT',
      )
    }
  })

  it('routes ordinary recipients only when the account holds an alias, and checks every address', () => {
    const raw = message(`From: ${me}`, '', 'x')
    expect(
      code(
        errorOf(() =>
          prepareSubmittedMail(raw, { ...base, recipients: [bob, 'carol@example.net'] }),
        ),
      ),
    ).toBe('NOT_A_PEER_ADDRESS')
    const out = prepareSubmittedMail(raw, {
      ...base,
      ordinary: true,
      recipients: [bob, 'Carol@Example.NET'],
    })
    expect(out.ordinary.map((a) => a.address.toLowerCase())).toEqual(['carol@example.net'])
    for (const bad of ['no-at-sign', 'a b@example.net', '<x@example.net>'])
      expect(code(errorOf(() => prepareSubmittedMail(raw, { ...base, recipients: [bad] })))).toBe(
        'INVALID_INPUT',
      )
    expect(code(errorOf(() => prepareSubmittedMail(raw, { ...base, recipients: [] })))).toBe(
      'INVALID_INPUT',
    )
  })
})
