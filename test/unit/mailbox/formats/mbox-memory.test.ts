import { createHash } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { readMbox, writeMbox } from '../../../../src/mailbox/formats/index.js'
import { test } from '../../../helpers/temp-dir.js'

/**
 * Streaming with bounded memory. The thresholds are wide on purpose (style.md: DoS tests with wide
 * margins): the file is 200 MB and growth must stay under 100 MB, while buffering the file would grow by
 * at least 200 MB and a healthy run grows by a few tens of MB at most.
 */

const MiB = 1024 * 1024
const MESSAGES = 200
const ALLOWED_GROWTH = 100 * MiB

/** 1 MiB of body text: 76-column lines, some of them `From ` and `>From ` lines that need escaping. */
function bodyTemplate(): Buffer {
  const lines: string[] = []
  for (let i = 0; lines.length * 77 < MiB; i++) {
    lines.push(
      i % 97 === 0
        ? `From line ${i}`.padEnd(76, '.')
        : i % 89 === 0
          ? `>From line ${i}`.padEnd(76, '.')
          : `line ${i} `.padEnd(76, 'x'),
    )
  }
  return Buffer.from(lines.join('\n') + '\n').subarray(0, MiB)
}

function rss(): number {
  return process.memoryUsage().rss
}

describe('memory', () => {
  test('writes and reads a 200 MB mbox holding one message at a time', async ({ tempDir }) => {
    const path = join(tempDir, 'large.mbox')
    const body = bodyTemplate()
    const written = createHash('sha256')
    const start = rss()
    let peak = start
    function* messages() {
      for (let i = 0; i < MESSAGES; i++) {
        const raw = Buffer.concat([Buffer.from(`Subject: message ${i}\n\n`), body])
        written.update(raw)
        peak = Math.max(peak, rss())
        yield { raw, from: `sender${i}@example.org` }
      }
    }
    await writeMbox(messages(), path)
    const size = (await stat(path)).size
    expect(size).toBeGreaterThan(MESSAGES * MiB)

    const read = createHash('sha256')
    let count = 0
    for await (const entry of readMbox(path)) {
      if ('error' in entry) throw entry.error
      read.update(entry.raw)
      count++
      peak = Math.max(peak, rss())
    }
    expect(count).toBe(MESSAGES)
    expect(read.digest('hex')).toBe(written.digest('hex'))
    expect(peak - start).toBeLessThan(ALLOWED_GROWTH)
  })

  test('skips an oversized message without buffering it', async () => {
    async function* source() {
      yield Buffer.from('From a\nSubject: huge\n\n')
      // Fresh buffers, as a file stream gives: keeping them would cost their full size.
      for (let i = 0; i < 300; i++) {
        await Promise.resolve()
        yield Buffer.alloc(MiB, 'y\n')
      }
      yield Buffer.from('\nFrom b\nSubject: small\n\nok\n\n')
    }
    const start = rss()
    let peak = start
    const entries = []
    for await (const entry of readMbox(source(), { maxMessageBytes: MiB })) {
      entries.push(entry)
      peak = Math.max(peak, rss())
    }
    expect(entries.map((e) => ('error' in e ? e.error.code : e.raw.toString()))).toEqual([
      'MESSAGE_TOO_LARGE',
      'Subject: small\n\nok\n',
    ])
    expect(peak - start).toBeLessThan(ALLOWED_GROWTH)
  })
})
