import { describe, expect, it } from 'vitest'
import { readMbox } from '../../../../src/mailbox/formats/index.js'
import {
  collect,
  comparable,
  fixturePath,
  raws,
  readBuffer,
  readFixture,
  writeToBuffer,
} from './helpers.js'

/**
 * An independent, deliberately naive reading of a well-formed fixture: split before every `From ` line,
 * drop the last line ending of each part (CRLF when the part ends in a CRLF blank line), take one `>` off
 * `^>+From ` lines. Good enough for these files, and shares no code with the reader.
 */
function naive(file: Buffer): { fromLine: string; raw: string }[] {
  return file
    .toString('latin1')
    .split(/^(?=From )/m)
    .map((part) => {
      const nl = part.indexOf('\n')
      const region = part.slice(nl + 1)
      const body = region.endsWith('\r\n\r\n') ? region.slice(0, -2) : region.slice(0, -1)
      return { fromLine: part.slice(0, nl), raw: body.replace(/^>(>*From )/gm, '$1') }
    })
}

async function readAll(name: string, variant?: 'mboxo') {
  const entries = await collect(readMbox(fixturePath(name), variant ? { variant } : {}))
  return { entries, messages: raws(entries) }
}

describe('mbox fixtures', () => {
  it('reads a Thunderbird folder (LF, "From - " lines, X-Mozilla headers)', async () => {
    const file = await readFixture('thunderbird.mbox')
    const { entries, messages } = await readAll('thunderbird.mbox')
    expect(entries.map((e) => ('fromLine' in e ? e.fromLine : ''))).toEqual([
      'From - Thu Jan 01 09:15:02 2026',
      'From - Fri Jan 02 18:40:11 2026',
      'From - Sat Jan 03 07:02:45 2026',
    ])
    expect(entries.map((e) => e.offset)).toEqual([
      0,
      file.indexOf('From - Fri'),
      file.indexOf('From - Sat'),
    ])
    expect(entries.map((e) => e.index)).toEqual([0, 1, 2])
    const first = messages[0]!.toString('utf8')
    expect(first.startsWith('X-Mozilla-Status: 0001\n')).toBe(true)
    expect(first).toContain('\nFrom what I heard, the café opens')
    expect(first.endsWith('\n\nAlice\n')).toBe(true)
    expect(first).toMatch(/^X-Mozilla-Keys: {81}$/m)
    expect(messages[1]!.toString()).toContain('> >From what I heard') // quoted, not an escape
    expect(messages[2]!.toString()).toContain('\nFrom the editor:')
    expect(messages.map((m) => m.toString('latin1'))).toEqual(naive(file).map((p) => p.raw))
  })

  it('reads a Gmail Takeout mbox (CRLF messages, X-GM-THRID and X-Gmail-Labels)', async () => {
    const file = await readFixture('gmail-takeout.mbox')
    // Guards the fixture itself: a checkout that turned CRLF into LF would make this test meaningless.
    expect(file.includes('\r\nX-Gmail-Labels: ')).toBe(true)
    const { entries, messages } = await readAll('gmail-takeout.mbox')
    expect(messages).toHaveLength(3)
    expect('fromLine' in entries[0]! && entries[0].fromLine).toBe(
      'From 1820345678901234567@xxx Mon Jan 05 10:00:01 +0000 2026',
    )
    for (const raw of messages) {
      const text = raw.toString('latin1')
      expect(text.startsWith('X-GM-THRID: ')).toBe(true)
      expect(text.endsWith('\r\n')).toBe(true)
      expect(text.endsWith('\r\n\r\n')).toBe(false)
      expect(text.replace(/\r\n/g, '')).not.toContain('\n') // still CRLF throughout
    }
    expect(messages[0]!.toString()).toContain('X-Gmail-Labels: Inbox,Important,Opened')
    expect(messages[0]!.toString()).toContain('\r\nFrom Dave, with love.\r\n')
    expect(messages.map((m) => m.toString('latin1'))).toEqual(naive(file).map((p) => p.raw))
  })

  it('unescapes an mboxrd file, taking exactly one > off ^>+From lines', async () => {
    const { messages } = await readAll('mboxrd.mbox')
    expect(messages).toHaveLength(2)
    expect(messages[0]!.toString().split('\n').slice(4)).toEqual([
      'From the top:',
      '>From a quoted reply',
      '>>From deeper still',
      '> From is fine here (space after the quote mark)',
      'From-less line: not a separator (no space after From)',
      '',
    ])
    expect(messages[1]!.toString()).toMatch(/\n\n>From the middle of a thread\n$/)
  })

  it('reads an mboxo file with the mboxo rule, and shows where mboxrd reads it differently', async () => {
    const mboxo = (await readAll('mboxo.mbox', 'mboxo')).messages[0]!.toString()
    expect(mboxo).toContain('\nFrom the start of a line')
    expect(mboxo).toContain('\n>>From a doubly quoted line')
    const auto = (await readAll('mboxo.mbox')).messages[0]!.toString()
    expect(auto).toContain('\n>From a doubly quoted line')
  })

  it.each(['thunderbird.mbox', 'gmail-takeout.mbox', 'mboxrd.mbox', 'mboxo.mbox', 'damaged.mbox'])(
    'reads %s the same whole, byte by byte and in odd chunks',
    async (name) => {
      const file = await readFixture(name)
      const options = { file: name, maxMessageBytes: 2048 }
      const whole = comparable(await readBuffer(file, [], options))
      expect(comparable(await readBuffer(file, [1], options))).toEqual(whole)
      expect(comparable(await readBuffer(file, [2, 7, 1, 13, 3], options))).toEqual(whole)
    },
  )

  it.each(['thunderbird.mbox', 'gmail-takeout.mbox', 'mboxrd.mbox'])(
    're-exports %s and reads back the same messages',
    async (name) => {
      const { messages } = await readAll(name)
      const again = raws(await readBuffer(await writeToBuffer(messages.map((raw) => ({ raw })))))
      expect(again).toEqual(messages)
    },
  )
})
