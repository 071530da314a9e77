import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { readEml, writeEmlFiles } from '../../../../src/mailbox/formats/index.js'
import { test } from '../../../helpers/temp-dir.js'
import { codeOf, rejection } from './helpers.js'

const crlfMessage = Buffer.from(
  'From: Dave <dave@example.com>\r\nSubject: Photos\r\n\r\nHere they are.\r\nFrom Dave\r\n',
)
const lfMessage = Buffer.from('Subject: café\n\n>From the top, no final newline')

describe('eml files', () => {
  test('round-trips messages byte for byte, one 0600 file each', async ({ tempDir }) => {
    const originals = [
      crlfMessage,
      lfMessage,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), lfMessage]),
    ]
    const result = await writeEmlFiles(
      originals.map((raw, i) => ({ raw, name: `Message ${i}` })),
      join(tempDir, 'out'),
    )
    expect(result.messages).toBe(3)
    expect(result.bytes).toBe(originals.reduce((n, b) => n + b.length, 0))
    expect(result.files.map((f) => f.slice(tempDir.length))).toEqual([
      '/out/000001-Message-0.eml',
      '/out/000002-Message-1.eml',
      '/out/000003-Message-2.eml',
    ])
    for (const [i, file] of result.files.entries()) {
      expect(await readEml(file)).toEqual(originals[i])
      expect((await stat(file)).mode & 0o777).toBe(0o600)
    }
    expect((await readdir(join(tempDir, 'out'))).sort()).toEqual(
      result.files.map((f) => f.slice(tempDir.length + 5)),
    )
  })

  test('makes safe names out of hostile subjects', async ({ tempDir }) => {
    const dir = join(tempDir, 'a', 'out')
    const names = [
      '../../etc/passwd',
      'a/b\\c',
      'nul\0byte',
      'x'.repeat(10_000),
      '日本語の件名'.repeat(100),
      '...',
      '',
      '\u202Egnp.exe',
      'CON',
      ' .hidden ',
    ]
    const { files } = await writeEmlFiles(
      names.map((name) => ({ raw: lfMessage, name })),
      dir,
    )
    const base = files.map((f) => f.slice(dir.length + 1))
    expect(base.slice(0, 3)).toEqual([
      '000001-etc-passwd.eml',
      '000002-a-b-c.eml',
      '000003-nul-byte.eml',
    ])
    expect(base[5]).toBe('000006.eml')
    expect(base[6]).toBe('000007.eml')
    expect(base[7]).toBe('000008-gnp-exe.eml')
    expect(base[8]).toBe('000009-CON.eml')
    expect(base[9]).toBe('000010-hidden.eml')
    for (const name of base) {
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(120)
      expect(name).toMatch(/^\d{6}(-[^/\\\0.]+)?\.eml$/)
      expect(name.normalize('NFC')).toBe(name)
    }
    expect(base[4]!.startsWith('000005-日本語の件名')).toBe(true)
    expect((await readdir(dir)).sort()).toEqual([...base].sort())
    expect(await readdir(tempDir)).toEqual(['a']) // nothing escaped the directory
  })

  test('never overwrites an existing file; a taken name gets a suffix', async ({ tempDir }) => {
    await writeFile(join(tempDir, '000001-hello.eml'), 'precious')
    const messages = [
      { raw: lfMessage, name: 'hello' },
      { raw: crlfMessage, name: 'world' },
    ]
    const first = await writeEmlFiles(messages, tempDir)
    const second = await writeEmlFiles(messages, tempDir)
    expect(await readFile(join(tempDir, '000001-hello.eml'), 'utf8')).toBe('precious')
    expect([...first.files, ...second.files].map((f) => f.slice(tempDir.length + 1))).toEqual([
      '000001-hello-2.eml',
      '000002-world.eml',
      '000001-hello-3.eml',
      '000002-world-2.eml',
    ])
    expect(await readEml(second.files[1]!)).toEqual(crlfMessage)
    expect((await readdir(tempDir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  test('refuses an empty message and reports progress', async ({ tempDir }) => {
    const progress: unknown[] = []
    const err = await rejection(
      writeEmlFiles([{ raw: lfMessage }, { raw: Buffer.alloc(0) }], tempDir, {
        onProgress: (p) => progress.push(p),
      }),
    )
    expect(codeOf(err)).toBe('INVALID_ARGUMENT')
    expect(progress).toEqual([{ messages: 1, bytes: lfMessage.length }])
  })

  test('readEml refuses what is not one message, naming the file', async ({ tempDir }) => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['empty.eml', '', /empty/],
      [
        'binary.eml',
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
        /binary/,
      ],
      [
        'folder.mbox',
        'From a@example.org Thu Jan  1 00:00:00 2026\nSubject: x\n\n',
        /import it as mbox/,
      ],
      ['notes.txt', 'Dear diary,\nSubject: not a header line\n', /header field/],
    ]
    for (const [name, content, reason] of cases) {
      const path = join(tempDir, name)
      await writeFile(path, content)
      const err = await rejection(readEml(path))
      expect(codeOf(err)).toBe('IMPORT_FORMAT')
      expect((err as Error).message).toContain(path)
      expect((err as Error).message).toMatch(reason)
    }
    const missing = await rejection(readEml(join(tempDir, 'missing.eml')))
    expect(codeOf(missing)).toBe('IMPORT_FORMAT')
    await mkdir(join(tempDir, 'dir.eml'))
    expect(codeOf(await rejection(readEml(join(tempDir, 'dir.eml'))))).toBe('IMPORT_FORMAT')
  })

  test('readEml refuses a file over maxMessageBytes with MESSAGE_TOO_LARGE', async ({
    tempDir,
  }) => {
    const path = join(tempDir, 'big.eml')
    await writeFile(path, crlfMessage)
    expect(await readEml(path, { maxMessageBytes: crlfMessage.length })).toEqual(crlfMessage)
    const err = await rejection(readEml(path, { maxMessageBytes: crlfMessage.length - 1 }))
    expect(codeOf(err)).toBe('MESSAGE_TOO_LARGE')
    expect((err as Error).message).toContain(path)
  })
})
