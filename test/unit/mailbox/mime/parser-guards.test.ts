import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it, onTestFinished } from 'vitest'
import { PARSE_WORKER_SOURCE } from '../../../../src/mailbox/mime/parse-worker-source.js'
import { createMimeParser } from '../../../../src/mailbox/mime/index.js'
import { createMimeParserWithTestHooks } from '../../../../src/mailbox/mime/parser.js'
import {
  expectWellFormed,
  fixture,
  liveWorkers,
  messageWithAttachment,
  openParser,
} from './mime-helpers.js'

const MiB = 1024 * 1024
const rejection = async (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (err: unknown) => (err as { code?: string }).code ?? 'no code',
  )

/**
 * Test-only worker: a listener registered before the real one spins forever on a message that starts
 * with "STALL", so a timeout is certain however fast the machine is; anything else reaches mailparser.
 */
const STALLING_SOURCE = `
require('node:worker_threads').parentPort.on('message', ({ raw }) => {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(5, raw.byteLength)).toString()
  if (head === 'STALL') for (;;) {}
})
${PARSE_WORKER_SOURCE}`
const STALL = Buffer.from('STALL: yes\r\nSubject: stuck\r\nFrom: a@example.org\r\n\r\nnever parsed')

function stallingParser(timeoutMs: number) {
  const parser = createMimeParserWithTestHooks({ timeoutMs }, { workerSource: STALLING_SOURCE })
  onTestFinished(() => parser.close())
  return parser
}

describe('MimeParser guards', () => {
  it('times out a stuck parse with PARSE_TIMEOUT, replaces the worker, and parses the next message', async () => {
    // 2 s against a parse that never ends and a follow-up that takes milliseconds: wide on both sides.
    const parser = stallingParser(2000)
    const [stuck, next] = await Promise.all([parser.parse(STALL), parser.parse(fixture('plain'))])
    expect(stuck.parseError?.code).toBe('PARSE_TIMEOUT')
    expect(stuck.subject).toBe('stuck')
    expect(stuck.from).toEqual([{ name: '', address: 'a@example.org' }])
    expect(stuck.text).toBe(STALL.toString())
    expect(next.parseError).toBeUndefined()
    expect(next.subject).toBe('Lunch on Thursday?')
    expect(liveWorkers()).toBe(1) // the stuck worker was terminated, one fresh worker remains
  })

  it('times out real mailparser work too (1 ms for a 20 MB message)', async () => {
    const m = await openParser({ timeoutMs: 1 }).parse(messageWithAttachment(15 * MiB, 'slow'))
    expect(m.parseError?.code).toBe('PARSE_TIMEOUT')
    expect(m.subject).toBe('slow')
  })

  it('answers an oversize message with MESSAGE_TOO_LARGE without starting a worker', async () => {
    const parser = openParser({ maxMessageBytes: 1024 })
    const raw = Buffer.from(`Subject: huge\r\nFrom: a@example.org\r\n\r\n${'x'.repeat(4096)}`)
    const workersBefore = liveWorkers()
    const m = await parser.parse(raw)
    expect(m.parseError?.code).toBe('MESSAGE_TOO_LARGE')
    expect(m.subject).toBe('huge')
    expect(m.text).toBe(raw.subarray(0, 1024).toString()) // the fallback text is capped at the limit
    expect(liveWorkers()).toBe(workersBefore)
    // exactly at the limit it is parsed normally
    const atLimit = raw.subarray(0, 1024)
    expect((await parser.parse(atLimit)).parseError).toBeUndefined()
  })

  it('reports heap exhaustion as PARSE_HEAP and recovers with a new worker', async () => {
    // The 30 MB attachment needs ~45 MB of worker heap (measured), three times the 16 MB limit; a
    // small message needs far less. The allocation pattern is many small objects, which V8 stops
    // cleanly (see the caveat on createMimeParser for the pattern it does not).
    const parser = openParser({ maxHeapMb: 16, maxMessageBytes: 100 * MiB })
    const m = await parser.parse(messageWithAttachment(30 * MiB, 'too big for the heap'))
    expect(m.parseError?.code).toBe('PARSE_HEAP')
    expect(m.subject).toBe('too big for the heap')
    const next = await parser.parse(fixture('reply'))
    expect(next.parseError).toBeUndefined()
    expect(next.inReplyTo).toBe('<plain-1@example.org>')
  })

  it('bounds worker start-up: a worker that never gets ready yields PARSE_FAILED', async () => {
    const parser = createMimeParserWithTestHooks(
      {},
      {
        workerSource: "require('node:worker_threads').parentPort.on('message', () => {})",
        startupTimeoutMs: 500,
      },
    )
    onTestFinished(() => parser.close())
    const m = await parser.parse(fixture('plain'))
    expect(m.parseError?.code).toBe('PARSE_FAILED')
    expect(m.parseError?.message).toContain('did not start')
    expect(m.subject).toBe('Lunch on Thursday?')
    expect(await rejection(parser.ready())).toBe('PARSE_FAILED')
  })

  it('reports a mailparser rejection as PARSE_FAILED and keeps going', async () => {
    // mailsplit refuses more than 1000 MIME nodes
    const parts = Array.from({ length: 1100 }, () => '--p\r\nContent-Type: text/plain\r\n\r\nx\r\n')
    const raw = Buffer.from(
      `Subject: many parts\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n${parts.join('')}--p--\r\n`,
    )
    const parser = openParser()
    const m = await parser.parse(raw)
    expect(m.parseError?.code).toBe('PARSE_FAILED')
    expect(m.subject).toBe('many parts')
    expectWellFormed(m)
    expect((await parser.parse(fixture('plain'))).subject).toBe('Lunch on Thursday?')
  })
})

describe('MimeParser lifecycle', () => {
  it('has idempotent ready() and close(), and rejects use after close with MAILBOX_CLOSED', async () => {
    const parser = createMimeParser()
    await parser.ready()
    await parser.ready()
    expect(liveWorkers()).toBe(1)
    await Promise.all([parser.close(), parser.close()])
    await parser.close()
    expect(liveWorkers()).toBe(0)
    expect(await rejection(parser.parse(fixture('plain')))).toBe('MAILBOX_CLOSED')
    expect(await rejection(parser.ready())).toBe('MAILBOX_CLOSED')
  })

  it('rejects the running and the queued parses when closed mid-parse', async () => {
    const parser = stallingParser(60_000)
    const running = rejection(parser.parse(STALL))
    const queued = rejection(parser.parse(fixture('plain')))
    await new Promise((resolve) => setTimeout(resolve, 200))
    await parser.close()
    expect(await running).toBe('MAILBOX_CLOSED')
    expect(await queued).toBe('MAILBOX_CLOSED')
    expect(liveWorkers()).toBe(0)
  })

  it('starts the worker lazily and leaves none behind after close()', async () => {
    const parser = createMimeParser()
    expect(liveWorkers()).toBe(0)
    await parser.parse(fixture('plain'))
    expect(liveWorkers()).toBe(1) // idle but alive: reused by the next parse
    await parser.parse(fixture('reply'))
    expect(liveWorkers()).toBe(1)
    await parser.close()
    expect(liveWorkers()).toBe(0)
  })

  it('rejects bad options and non-byte input with INVALID_ARGUMENT', async () => {
    expect(() => createMimeParser({ timeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => createMimeParser({ maxHeapMb: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    const parser = openParser()
    expect(await rejection(parser.parse('Subject: x' as unknown as Buffer))).toBe(
      'INVALID_ARGUMENT',
    )
  })

  it('does not keep the process alive when idle, and keeps it alive while a parse is awaited', async () => {
    // A child process parses once and never calls close(). If the idle worker held the event loop the
    // child would hang until killed; if a pending parse did not, the child would exit early (code 13,
    // unsettled top-level await) without printing. 30 s against the ~1 s it takes.
    const root = fileURLToPath(new URL('../../../../', import.meta.url))
    const script = `
      import { createMimeParser } from './src/mailbox/mime/index.ts'
      const parser = createMimeParser()
      const m = await parser.parse(Buffer.from('Subject: from the child\\r\\n\\r\\nbody'))
      console.log(JSON.stringify([m.subject, m.parseError?.code ?? 'parsed']))
    `
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { cwd: root, timeout: 30_000 },
    )
    expect(JSON.parse(stdout)).toEqual(['from the child', 'parsed'])
  })
})

/** As {@link STALLING_SOURCE}, for a group of messages too: one stuck message stalls the whole group. */
const STALLING_GROUP_SOURCE = `
const stalls = (raw) => Buffer.from(raw.buffer, raw.byteOffset, Math.min(5, raw.byteLength)).toString() === 'STALL'
require('node:worker_threads').parentPort.on('message', ({ raw, raws }) => {
  if ((raws || [raw]).some(stalls)) for (;;) {}
})
${PARSE_WORKER_SOURCE}`

describe('MimeParser.parseMany', () => {
  it('gives each message what parse() gives it, refusals and fallbacks included', async () => {
    const parts = Array.from({ length: 1100 }, () => '--p\r\nContent-Type: text/plain\r\n\r\nx\r\n')
    const rejected = Buffer.from(
      `Subject: many parts\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n${parts.join('')}--p--\r\n`,
    )
    const big = messageWithAttachment(2 * MiB, 'big')
    const raws = [
      fixture('plain'),
      rejected,
      fixture('inline-image'),
      big,
      fixture('reply'),
      Buffer.from('Subject: small\r\n\r\nhi'),
    ]
    const parser = openParser({ maxMessageBytes: 3 * MiB })
    const many = await parser.parseMany(raws)
    const one = []
    for (const raw of raws) one.push(await parser.parse(raw))
    expect(many).toEqual(one)
    expect(many[1]?.parseError?.code).toBe('PARSE_FAILED')
    expect(many.filter((m) => m.parseError)).toHaveLength(1)
    expect(many[3]?.attachments[0]?.size).toBe(2 * MiB)
    expect(await parser.parseMany([])).toEqual([])
    const tooLarge = await openParser({ maxMessageBytes: MiB }).parseMany([big, fixture('plain')])
    expect(tooLarge.map((m) => m.parseError?.code)).toEqual(['MESSAGE_TOO_LARGE', undefined])
  })

  it('parses a group that fails as a whole again one by one: only the stuck message times out', async () => {
    // 2 s against a parse that never ends and messages that take milliseconds: wide on both sides.
    const parser = createMimeParserWithTestHooks(
      { timeoutMs: 2000 },
      { workerSource: STALLING_GROUP_SOURCE },
    )
    onTestFinished(() => parser.close())
    const [before, stuck, after] = await parser.parseMany([
      fixture('plain'),
      STALL,
      fixture('reply'),
    ])
    expect(before?.parseError).toBeUndefined()
    expect(before?.subject).toBe('Lunch on Thursday?')
    expect(stuck?.parseError?.code).toBe('PARSE_TIMEOUT')
    expect(stuck?.subject).toBe('stuck')
    expect(after?.parseError).toBeUndefined()
    expect(liveWorkers()).toBe(1)
  })

  it('refuses what is not bytes, and rejects once closed', async () => {
    const parser = openParser()
    expect(await rejection(parser.parseMany(['text' as unknown as Uint8Array]))).toBe(
      'INVALID_ARGUMENT',
    )
    await parser.close()
    expect(await rejection(parser.parseMany([fixture('plain')]))).toBe('MAILBOX_CLOSED')
  })
})
