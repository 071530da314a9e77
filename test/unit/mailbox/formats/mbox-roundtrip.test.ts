import { PassThrough, Writable } from 'node:stream'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { readMbox, writeMbox } from '../../../../src/mailbox/formats/index.js'
import { test } from '../../../helpers/temp-dir.js'
import {
  codeOf,
  collect,
  comparable,
  raws,
  readBuffer,
  rejection,
  writeToBuffer,
} from './helpers.js'

/** Message bytes built from the pieces that break naive mbox code, plus arbitrary bytes in between. */
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('From ', '>From ', '>>From ', '>>>From ', 'From', '>') },
  { weight: 3, arbitrary: fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\r\n\r\n', ' ') },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')),
  },
)
const message = fc
  .array(piece, { minLength: 1, maxLength: 30 })
  .map((pieces) => Buffer.from(pieces.join(''), 'latin1'))
  .filter((raw) => raw.length > 0)
const messages = fc.array(message, { maxLength: 8 })
const chunkSizes = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 })

describe('mbox round trip', () => {
  it('gives back every message byte for byte, however the file is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(messages, chunkSizes, async (originals, sizes) => {
        const file = await writeToBuffer(originals.map((raw) => ({ raw })))
        const whole = await readBuffer(file)
        expect(raws(whole)).toEqual(originals)
        expect(comparable(await readBuffer(file, sizes))).toEqual(comparable(whole))
      }),
      { numRuns: 300 },
    )
  })

  it('gives the same entries for any input however it is chunked, errors included', async () => {
    const bytes = fc
      .array(piece, { maxLength: 40 })
      .map((p) => Buffer.from(`From x\n${p.join('')}`))
    await fc.assert(
      fc.asyncProperty(bytes, chunkSizes, async (file, sizes) => {
        const options = { maxMessageBytes: 16 }
        const whole = comparable(await readBuffer(file, [], options))
        expect(comparable(await readBuffer(file, [1], options))).toEqual(whole)
        expect(comparable(await readBuffer(file, sizes, options))).toEqual(whole)
      }),
      { numRuns: 300 },
    )
  })

  it.each([
    ['no final newline', 'Subject: x\n\nbody'],
    ['a final LF', 'Subject: x\n\nbody\n'],
    ['a final CRLF', 'Subject: x\r\n\r\nbody\r\n'],
    ['CRLF and no final newline', 'Subject: x\r\n\r\nbody'],
    ['a final lone CR', 'abc\r'],
    ['blank lines at the end', 'Subject: x\n\nbody\n\n\n'],
    ['CRLF blank lines at the end', 'Subject: x\r\n\r\nbody\r\n\r\n'],
    ['From lines', 'From me\nFrom you\n>From x\n>>From y\n>>>From z\nFrom'],
    ['a From line first', 'From x'],
    ['only a newline', '\n'],
  ])('round-trips a message with %s', async (_what, text) => {
    const raw = Buffer.from(text)
    const file = await writeToBuffer([{ raw }, { raw }])
    expect(raws(await readBuffer(file))).toEqual([raw, raw])
  })

  it('escapes ^>*From lines with one > and writes an asctime From_ line', async () => {
    const raw = Buffer.from('Subject: x\n\nFrom a\n>From b\n>>From c\n> From d\nxFrom e\n')
    const file = await writeToBuffer([
      { raw, from: 'alice@example.org', date: new Date(Date.UTC(2026, 0, 1)) },
      {
        raw: Buffer.from('x\r\n'),
        from: 'two words\r\n',
        date: new Date(Date.UTC(2026, 9, 31, 23, 5, 9)),
      },
      { raw: Buffer.from('y') },
    ])
    const text = file.toString()
    expect(text.startsWith('From alice@example.org Thu Jan  1 00:00:00 2026\n')).toBe(true)
    expect(text).toContain('\n>From a\n>>From b\n>>>From c\n> From d\nxFrom e\n\n')
    expect(text).toContain('From two_words__ Sat Oct 31 23:05:09 2026\nx\r\n\r\n')
    expect(text).toMatch(/From MAILER-DAEMON \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\ny\n$/)
  })

  it('reports what it wrote', async () => {
    const progress: unknown[] = []
    const out = new PassThrough()
    out.resume()
    const result = await writeMbox(
      [{ raw: Buffer.from('a\n') }, { raw: Buffer.from('b\n') }],
      out,
      {
        onProgress: (p) => progress.push(p),
      },
    )
    const line = 'From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n'.length
    expect(result).toEqual({ messages: 2, bytes: 2 * (line + 3) })
    expect(progress).toEqual([
      { messages: 1, bytes: line + 3 },
      { messages: 2, bytes: 2 * (line + 3) },
    ])
  })

  it('refuses an empty message, which an mbox cannot represent', async () => {
    const err = await rejection(
      writeToBuffer([{ raw: Buffer.from('a') }, { raw: Buffer.alloc(0) }]),
    )
    expect(codeOf(err)).toBe('INVALID_ARGUMENT')
    expect((err as Error).message).toContain('message 2')
  })

  it('waits for drain on a slow stream instead of buffering everything', async () => {
    let maxBuffered = 0
    const written: Buffer[] = []
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk)
        setImmediate(done)
      },
    })
    const originals = Array.from({ length: 50 }, (_, i) => ({
      raw: Buffer.alloc(4096, 97 + (i % 26)),
    }))
    const source = (function* () {
      for (const m of originals) {
        maxBuffered = Math.max(maxBuffered, slow.writableLength)
        yield m
      }
    })()
    await writeMbox(source, slow)
    // Without waiting for 'drain', 50 × 4 KiB would pile up in the stream's buffer.
    expect(maxBuffered).toBeLessThan(16 * 1024)
    expect(raws(await readBuffer(Buffer.concat(written))).map((b) => b.toString())).toEqual(
      originals.map((m) => m.raw.toString()),
    )
  })

  it('accepts async iterables of messages', async () => {
    async function* source() {
      yield { raw: Buffer.from('one\n') }
      await Promise.resolve()
      yield { raw: Buffer.from('two') }
    }
    const parts: Buffer[] = []
    const out = new PassThrough()
    out.on('data', (c: Buffer) => parts.push(c))
    expect((await writeMbox(source(), out)).messages).toBe(2)
    expect(raws(await readBuffer(Buffer.concat(parts))).map(String)).toEqual(['one\n', 'two'])
  })
})

describe('mbox files', () => {
  test('writes a new file with mode 0600 and reads it back from its path', async ({ tempDir }) => {
    const path = join(tempDir, 'export.mbox')
    const originals = [Buffer.from('Subject: a\n\nFrom here\n'), Buffer.from('Subject: b\r\n\r\nx')]
    const result = await writeMbox(
      originals.map((raw) => ({ raw })),
      path,
    )
    expect(result.bytes).toBe((await readFile(path)).length)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(raws(await collect(readMbox(path)))).toEqual(originals)
  })

  test('writes an empty file for no messages, read back as no messages', async ({ tempDir }) => {
    const path = join(tempDir, 'empty.mbox')
    expect(await writeMbox([], path)).toEqual({ messages: 0, bytes: 0 })
    expect(await collect(readMbox(path))).toEqual([])
  })

  test('never replaces an existing file', async ({ tempDir }) => {
    const path = join(tempDir, 'export.mbox')
    await writeFile(path, 'precious')
    const err = await rejection(writeMbox([{ raw: Buffer.from('x') }], path))
    expect(codeOf(err)).toBe('INVALID_ARGUMENT')
    expect(await readFile(path, 'utf8')).toBe('precious')
    expect(await readdir(tempDir)).toEqual(['export.mbox']) // no temp file left behind
  })

  test('leaves no file when the messages fail midway', async ({ tempDir }) => {
    const path = join(tempDir, 'export.mbox')
    function* source() {
      yield { raw: Buffer.from('x') }
      throw new Error('store closed')
    }
    await expect(writeMbox(source(), path)).rejects.toThrow('store closed')
    expect(await readdir(tempDir)).toEqual([])
  })
})
