import { Readable } from 'node:stream'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  readMbox,
  writeMbox,
  type MboxEntry,
  type MboxReadProgress,
} from '../../../../src/mailbox/formats/index.js'
import { test } from '../../../helpers/temp-dir.js'
import {
  codeOf,
  collect,
  comparable,
  fixturePath,
  raws,
  readBuffer,
  readFixture,
  rejection,
} from './helpers.js'

const errorOf = (entry: MboxEntry | undefined) =>
  entry && 'error' in entry ? entry.error : undefined
const rawOf = (entry: MboxEntry | undefined) =>
  entry && 'raw' in entry ? entry.raw.toString() : undefined

describe('damaged mbox files', () => {
  it('imports the good messages and names each bad one by index and offset', async () => {
    const file = await readFixture('damaged.mbox')
    const path = fixturePath('damaged.mbox')
    const entries = await collect(readMbox(path, { maxMessageBytes: 2048 }))
    const at = (line: string) => file.indexOf(line)

    expect(entries.map((e) => [e.index, e.offset])).toEqual([
      [0, 0],
      [1, at('From a@')],
      [2, at('From b@')],
      [3, at('From c@')],
      [4, at('From d@')],
      [5, at('From e@')],
    ])
    const garbage = errorOf(entries[0])
    expect(garbage?.code).toBe('IMPORT_MESSAGE_INVALID')
    expect(garbage?.message).toContain(path)
    expect(garbage?.message).toContain(`bytes 0-${at('From a@') - 1}`)

    expect(rawOf(entries[1])).toBe('Subject: one\n\nfirst good message\n')

    const empty = errorOf(entries[2])
    expect(empty?.code).toBe('IMPORT_MESSAGE_INVALID')
    expect(empty?.message).toContain(`message 3 (From_ line at byte ${at('From b@')})`)
    expect(empty?.message).toContain('empty message')

    const big = errorOf(entries[3])
    expect(big?.code).toBe('MESSAGE_TOO_LARGE')
    expect(big?.message).toContain(path)
    expect(big?.message).toContain(`byte ${at('From c@')}`)
    expect(big?.message).toContain(`${'Subject: big\n\n'.length + 77 * 64} bytes`)

    expect(rawOf(entries[4])).toBe('Subject: four\n\nsecond good message\n')
    // Cut off mid-line: kept as it is, nothing to strip.
    expect(rawOf(entries[5])).toBe('Subject: cut\n\nthe disk filled up right about h')
  })

  it('reads the oversized message when the limit allows it', async () => {
    const entries = await collect(readMbox(fixturePath('damaged.mbox')))
    expect(errorOf(entries[3])).toBeUndefined()
    expect(rawOf(entries[3])).toMatch(/^Subject: big\n\n(X{76}\n){64}$/)
  })

  it('counts a limit of exactly the message size as fitting', async () => {
    const raw = 'Subject: x\r\n\r\n12345\r\n'
    const file = Buffer.from(`From a\n${raw}\r\nFrom b\n${raw}x\r\n`)
    const entries = await readBuffer(file, [], { maxMessageBytes: raw.length })
    expect(rawOf(entries[0])).toBe(raw)
    expect(errorOf(entries[1])?.code).toBe('MESSAGE_TOO_LARGE')
  })

  it('reads CRLF mbox files and mixed ones, stripping only the separator line', async () => {
    const crlf =
      'From a Mon Jan  5 09:00:00 2026\r\nS: 1\r\n\r\nbody\r\n\r\nFrom b\r\nS: 2\r\n\r\nx\n\r\n'
    expect(raws(await readBuffer(Buffer.from(crlf))).map(String)).toEqual([
      'S: 1\r\n\r\nbody\r\n',
      'S: 2\r\n\r\nx\n',
    ])
    // LF From_ lines, CRLF messages, and LF or CRLF blank lines between them.
    const mixed = 'From a\nS: 1\r\n\r\nbody\r\n\nFrom b\nS: 2\r\n\r\nbody\r\n\r\n'
    expect(raws(await readBuffer(Buffer.from(mixed))).map(String)).toEqual([
      'S: 1\r\n\r\nbody\r\n',
      'S: 2\r\n\r\nbody\r\n',
    ])
  })

  it('accepts a BOM and blank lines before the first From_ line, counting them in offsets', async () => {
    const file = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('\n \r\n\nFrom a\nS: 1\n\n'),
    ])
    for (const sizes of [[], [1], [2, 1]]) {
      const entries = await readBuffer(file, sizes)
      expect(entries).toHaveLength(1)
      expect(entries[0]!.offset).toBe(8)
      expect(rawOf(entries[0])).toBe('S: 1\n')
    }
  })

  it('reads an empty file, or one of blank lines, as an mbox without messages', async () => {
    expect(await readBuffer(Buffer.alloc(0))).toEqual([])
    expect(await readBuffer(Buffer.from('\n\r\n  \n'))).toEqual([])
  })

  it('throws IMPORT_FORMAT naming the file when it is not an mbox', async () => {
    const eml =
      'Subject: hi\nFrom: a@example.org\n\nFrom me to you, a line that is not a From_ line\n'
    const notMbox = [
      Buffer.from(eml),
      Buffer.alloc(100 * 1024, 0x41), // garbage with no line ending at all
      Buffer.from('>From x Thu Jan  1 00:00:00 2026\n'),
    ]
    for (const file of notMbox) {
      const err = await rejection(readBuffer(file, [1000], { file: 'notes.txt' }))
      expect(codeOf(err)).toBe('IMPORT_FORMAT')
      expect((err as Error).message).toMatch(/^notes\.txt: not an mbox file/)
    }
  })

  it('skips up to 64 KiB of leading garbage, with the same outcome however the file is chunked', async () => {
    const limit = 64 * 1024
    const mbox = 'From a Thu Jan  1 00:00:00 2026\nS: 1\n\n'
    for (const size of [limit - 1, limit, limit + 1]) {
      const garbage = `${'g'.repeat(size - 2)}\r\n`
      const outcomes = []
      // [limit + 10] cuts the From_ line that follows exactly 64 KiB of garbage.
      for (const sizes of [[], [1000], [7, 4096], [limit + 10]]) {
        const file = Buffer.from(garbage + mbox)
        outcomes.push(await readBuffer(file, sizes).then(comparable, (err: unknown) => codeOf(err)))
      }
      for (const outcome of outcomes) expect(outcome).toEqual(outcomes[0])
      expect(outcomes[0]).toEqual(size > limit ? 'IMPORT_FORMAT' : expect.any(Array))
    }
  })

  test('throws IMPORT_FORMAT naming a missing file or a directory', async ({ tempDir }) => {
    const missing = join(tempDir, 'nope.mbox')
    const err = await rejection(collect(readMbox(missing)))
    expect(codeOf(err)).toBe('IMPORT_FORMAT')
    expect((err as Error).message).toContain(missing)
    expect(codeOf(await rejection(collect(readMbox(tempDir))))).toBe('IMPORT_FORMAT')
  })

  it('refuses text streams and bad options with INVALID_ARGUMENT', async () => {
    const text = Readable.from(['From a\nS: 1\n'])
    expect(codeOf(await rejection(collect(readMbox(text))))).toBe('INVALID_ARGUMENT')
    const bytes = () => Readable.from([Buffer.from('From a\nS: 1\n')])
    for (const options of [
      { maxMessageBytes: 0 },
      { maxMessageBytes: 1.5 },
      { variant: 'x' as 'mboxo' },
    ]) {
      expect(codeOf(await rejection(collect(readMbox(bytes(), options))))).toBe('INVALID_ARGUMENT')
    }
  })

  it('stops reading the source when the caller stops early', async () => {
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < 1000; i++) yield Buffer.from(`From a\nS: ${i}\n\n`)
      })(),
    )
    for await (const entry of readMbox(stream)) {
      expect(rawOf(entry)).toBe('S: 0\n')
      break
    }
    expect(stream.destroyed).toBe(true)
  })
})

describe('progress', () => {
  test('reports bytesRead rising to totalBytes, with the entry count', async ({ tempDir }) => {
    const path = join(tempDir, 'big.mbox')
    const messages = Array.from({ length: 40 }, (_, i) => ({
      raw: Buffer.alloc(50_000, 65 + (i % 26)),
    }))
    await writeMbox(messages, path)
    const progress: MboxReadProgress[] = []
    const entries = await collect(readMbox(path, { onProgress: (p) => progress.push({ ...p }) }))
    expect(entries).toHaveLength(40)
    expect(progress.length).toBeGreaterThan(2)
    const sizes = new Set(progress.map((p) => p.totalBytes))
    const total = progress[0]!.totalBytes!
    expect([...sizes]).toEqual([total])
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.bytesRead).toBeGreaterThanOrEqual(progress[i - 1]!.bytesRead)
      expect(progress[i]!.messages).toBeGreaterThanOrEqual(progress[i - 1]!.messages)
    }
    expect(progress.at(-1)).toEqual({ bytesRead: total, totalBytes: total, messages: 40 })
  })

  it('leaves totalBytes out for a stream', async () => {
    const progress: MboxReadProgress[] = []
    await collect(
      readMbox(Readable.from([Buffer.from('From a\nS: 1\n')]), {
        onProgress: (p) => progress.push(p),
      }),
    )
    expect(progress.at(-1)).toEqual({ bytesRead: 12, messages: 1 })
  })
})
