import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { composeMessage, type ComposeInput } from '../../../../src/mailbox/mime/index.js'
import { openParser } from './mime-helpers.js'

const alice = { name: 'Alice Example', address: 'alice@example.org' }
const bob = { name: 'Bob, the Builder', address: 'bob@example.net' }
const carol = { name: 'Carol Ç', address: 'carol@example.com' }
const secret = { name: 'Hidden Watcher', address: 'hidden.watcher@secret.example' }
const photo = randomBytes(3000)
const report = randomBytes(10_000)

const full: ComposeInput = {
  from: alice,
  to: [bob],
  cc: [carol],
  bcc: [secret],
  replyTo: [{ name: '', address: 'replies@example.org' }],
  subject: 'Re: Garden plans — ünïcödé and a long subject that needs folding over several lines',
  text: 'Plain body.\nSecond line with ünïcödé.\n',
  html: '<p>HTML body with <img src="cid:photo-1@example.org"></p>',
  attachments: [
    {
      filename: 'photo.png',
      content: photo,
      contentType: 'image/png',
      contentId: 'photo-1@example.org',
    },
    { filename: 'report.pdf', content: report, contentType: 'application/pdf' },
  ],
  messageId: '<compose-1@example.org>',
  inReplyTo: '<parent@example.net>',
  references: ['<root@example.net>', '<parent@example.net>'],
  date: new Date(Date.UTC(2025, 2, 9, 12, 0, 0)),
  headers: { 'X-Peermail-Test': 'yes' },
}

const codeOf = async (input: ComposeInput): Promise<string> => {
  try {
    await composeMessage(input)
    return 'no error'
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code'
  }
}

describe('composeMessage', () => {
  it('round-trips through the parser', async () => {
    const raw = await composeMessage(full)
    const m = await openParser().parse(raw)
    expect(m.parseError).toBeUndefined()
    expect(m.subject).toBe(full.subject)
    expect(m.from).toEqual([alice])
    expect(m.to).toEqual([bob])
    expect(m.cc).toEqual([carol])
    expect(m.replyTo).toEqual([{ name: '', address: 'replies@example.org' }])
    expect(m.bcc).toEqual([])
    expect(m.text).toBe(full.text)
    expect(m.html?.trim()).toBe(full.html)
    expect(m.messageId).toBe('<compose-1@example.org>')
    expect(m.inReplyTo).toBe('<parent@example.net>')
    expect(m.references).toEqual(['<root@example.net>', '<parent@example.net>'])
    expect(m.date).toBe(full.date!.getTime())
    const byName = new Map(m.attachments.map((a) => [a.filename, a]))
    expect([...byName.keys()].sort()).toEqual(['photo.png', 'report.pdf'])
    expect(byName.get('photo.png')).toMatchObject({
      contentId: 'photo-1@example.org',
      inline: true,
    })
    expect(byName.get('photo.png')!.content.equals(photo)).toBe(true)
    expect(byName.get('report.pdf')!.content.equals(report)).toBe(true)
    expect(byName.get('report.pdf')!.contentId).toBeUndefined()
  })

  it('never writes Bcc into the message', async () => {
    const raw = (await composeMessage(full)).toString('latin1')
    expect(raw).not.toMatch(/^bcc:/im)
    expect(raw).not.toContain('hidden.watcher')
    expect(raw).not.toContain('Hidden Watcher')
    expect(raw).toMatch(/^X-Peermail-Test: yes$/m)
  })

  it('generates a random Message-ID at the sender domain and sets Date when absent', async () => {
    const before = Date.now()
    const input = { from: alice, to: [bob], text: 'hi' }
    const [a, b] = await Promise.all([composeMessage(input), composeMessage(input)])
    const parser = openParser()
    const [ma, mb] = await Promise.all([parser.parse(a), parser.parse(b)])
    expect(ma.messageId).toMatch(/^<[0-9a-f]{32}@example\.org>$/)
    expect(ma.messageId).not.toBe(mb.messageId)
    // Date has whole seconds
    expect(ma.date).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    expect(ma.date).toBeLessThanOrEqual(Date.now())
  })

  it('refuses header injection in the subject and in extra headers', async () => {
    expect(await codeOf({ ...full, subject: 'Hi\r\nBcc: evil@example.com' })).toBe(
      'INVALID_ARGUMENT',
    )
    expect(await codeOf({ ...full, subject: 'Hi\nthere' })).toBe('INVALID_ARGUMENT')
    expect(await codeOf({ ...full, headers: { 'X-A': 'v\r\nBcc: evil@example.com' } })).toBe(
      'INVALID_ARGUMENT',
    )
    expect(await codeOf({ ...full, headers: { 'X-A: b\r\nBcc': 'evil@example.com' } })).toBe(
      'INVALID_ARGUMENT',
    )
    expect(await codeOf({ ...full, headers: { Bcc: 'evil@example.com' } })).toBe('INVALID_ARGUMENT')
    expect(await codeOf({ ...full, headers: { 'message-id': '<x@y.z>' } })).toBe('INVALID_ARGUMENT')
  })

  it('validates every address before nodemailer sees it', async () => {
    const bad = { name: '', address: 'a@good.com(x)evil.com' }
    expect(await codeOf({ ...full, from: bad })).toBe('ADDRESS_INVALID')
    expect(await codeOf({ ...full, to: [bob, bad] })).toBe('ADDRESS_INVALID')
    expect(await codeOf({ ...full, cc: [bad] })).toBe('ADDRESS_INVALID')
    expect(await codeOf({ ...full, bcc: [bad] })).toBe('ADDRESS_INVALID')
    expect(await codeOf({ ...full, replyTo: [bad] })).toBe('ADDRESS_INVALID')
    expect(
      await codeOf({ ...full, to: [{ name: 'Eve\r\nBcc: x@y.com', address: 'e@x.org' }] }),
    ).toBe('ADDRESS_INVALID')
  })

  it('refuses malformed ids, dates and attachment fields', async () => {
    const file = { filename: 'a.txt', content: Buffer.from('a') }
    for (const input of [
      { ...full, messageId: 'no-brackets@example.org' },
      { ...full, inReplyTo: '<a@b>\r\nBcc: <x@y>' },
      { ...full, references: ['<ok@x.org>', '<bad id@x.org>'] },
      { ...full, date: new Date(Number.NaN) },
      { ...full, attachments: [{ ...file, filename: 'a\r\n.txt' }] },
      { ...full, attachments: [{ ...file, contentType: 'text/plain\r\nX-Evil: 1' }] },
      { ...full, attachments: [{ ...file, contentId: '<with-brackets@x>' }] },
      { ...full, attachments: [{ ...file, content: 'not bytes' as unknown as Buffer }] },
    ]) {
      expect(await codeOf(input)).toBe('INVALID_ARGUMENT')
    }
  })

  it('round-trips a ~25 MB attachment byte for byte within the default limits', async () => {
    const content = randomBytes(25 * 1024 * 1024)
    const raw = await composeMessage({
      from: alice,
      to: [bob],
      subject: 'big',
      text: 'see attached',
      attachments: [{ filename: 'big.bin', content }],
    })
    const m = await openParser().parse(raw)
    expect(m.parseError).toBeUndefined()
    expect(m.attachments).toHaveLength(1)
    expect(m.attachments[0]!.size).toBe(content.length)
    expect(m.attachments[0]!.content.equals(content)).toBe(true)
  })
})
