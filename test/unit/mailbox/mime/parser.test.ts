import { describe, expect, it } from 'vitest'
import { expectWellFormed, fixture, FIXTURES, openParser } from './mime-helpers.js'

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

describe('MimeParser on the fixtures', () => {
  it('parses a plain text message', async () => {
    const m = await openParser().parse(fixture('plain'))
    expect(m.parseError).toBeUndefined()
    expect(m.subject).toBe('Lunch on Thursday?')
    expect(m.from).toEqual([{ name: 'Alice Example', address: 'alice@example.org' }])
    expect(m.to).toEqual([{ name: 'Bob Builder', address: 'bob@example.net' }])
    expect(m.messageId).toBe('<plain-1@example.org>')
    expect(m.date).toBe(Date.UTC(2025, 2, 4, 9, 15))
    expect(m.text).toBe('Hi Bob,\n\nAre you free for lunch on Thursday at noon?\n\nAlice\n')
    expect(m.html).toBeUndefined()
    expect(m.attachments).toEqual([])
  })

  it('parses a text + HTML alternative with several recipients', async () => {
    const m = await openParser().parse(fixture('alternative'))
    expect(m.parseError).toBeUndefined()
    expect(m.from).toEqual([{ name: 'Newsletter, Weekly', address: 'news@example.com' }])
    expect(m.to.map((a) => a.address)).toEqual(['reader@example.org', 'second@example.org'])
    expect(m.cc).toEqual([{ name: '', address: 'archive@example.com' }])
    expect(m.replyTo).toEqual([{ name: '', address: 'replies@example.com' }])
    expect(m.text).toContain('soft line break in the middle')
    expect(m.text).toContain('sun ☀')
    expect(m.html).toContain('<b>sun</b> ☀')
    expect(m.attachments).toEqual([])
  })

  it('keeps an inline cid image apart from a regular attachment', async () => {
    const m = await openParser().parse(fixture('inline-image'))
    expect(m.parseError).toBeUndefined()
    // cid: links stay as they are (no data: URL inlining)
    expect(m.html).toContain('src="cid:garden-photo@example.org"')
    const [image, notes] = m.attachments
    expect(m.attachments).toHaveLength(2)
    expect(image).toMatchObject({
      filename: 'garden.png',
      contentType: 'image/png',
      contentId: 'garden-photo@example.org',
      inline: true,
      size: 69,
    })
    expect(image!.content.subarray(0, 8)).toEqual(PNG_SIGNATURE)
    expect(notes).toMatchObject({ filename: 'notes.txt', contentType: 'text/plain', inline: false })
    expect(notes!.contentId).toBeUndefined()
    expect(notes!.content.toString()).toBe('Shopping list:\n- soil\n- seeds\n- a watering can\n')
  })

  it('decodes an iso-8859-1 body and RFC 2047 subject and name', async () => {
    const m = await openParser().parse(fixture('latin1'))
    expect(m.parseError).toBeUndefined()
    expect(m.subject).toBe('Café crème et crêpes')
    expect(m.from).toEqual([{ name: 'René Dupré', address: 'rene@example.fr' }])
    expect(m.text).toBe('Voilà le café crème, à bientôt.\n')
  })

  it('reads In-Reply-To and folded References of a reply', async () => {
    const m = await openParser().parse(fixture('reply'))
    expect(m.subject).toBe('Re: Lunch on Thursday?')
    expect(m.inReplyTo).toBe('<plain-1@example.org>')
    expect(m.references).toEqual(['<thread-0@example.net>', '<plain-1@example.org>'])
  })

  it('parses a bare-LF message like its CRLF form', async () => {
    const m = await openParser().parse(fixture('bare-lf'))
    expect(m.parseError).toBeUndefined()
    expect(m.subject).toBe('Written on a Unix box')
    expect(m.text).toBe('Every line here ends in a bare LF.\nNo carriage returns at all.\n')
    expect(m.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['todo.txt', 'Shopping list:\n- soil\n- seeds\n- a watering can\n'],
    ])
  })

  it('resolves a malformed message (garbage headers, broken boundaries) without rejecting', async () => {
    const m = await openParser().parse(fixture('malformed'))
    expectWellFormed(m)
    expect(m.subject).toBe('Broken but still readable')
    expect(m.from).toEqual([{ name: 'Mallory', address: 'mallory@example.com' }])
  })

  it('parses every fixture on one parser, in order, when called concurrently', async () => {
    const parser = openParser()
    const results = await Promise.all(FIXTURES.map((name) => parser.parse(fixture(name))))
    expect(results.map((m) => m.subject)).toEqual([
      'Lunch on Thursday?',
      'This week in gardening',
      'Photo of the garden',
      'Café crème et crêpes',
      'Re: Lunch on Thursday?',
      'Broken but still readable',
      'Written on a Unix box',
    ])
    results.forEach(expectWellFormed)
  })

  it("leaves the caller's buffer intact and reads a slice of a larger buffer correctly", async () => {
    const plain = fixture('plain')
    const big = Buffer.concat([Buffer.from('junk before'), plain, Buffer.from('junk after')])
    const slice = big.subarray(11, 11 + plain.length)
    const m = await openParser().parse(slice)
    expect(m.subject).toBe('Lunch on Thursday?')
    expect(m.text).not.toContain('junk')
    // the worker got a copy: nothing of the caller's was transferred (detached) away
    expect(slice.equals(plain)).toBe(true)
    expect(big.byteLength).toBe(11 + plain.length + 10)
  })
})
