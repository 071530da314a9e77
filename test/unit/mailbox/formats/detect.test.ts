import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { detectFormat } from '../../../../src/mailbox/formats/index.js'
import { test } from '../../../helpers/temp-dir.js'
import { codeOf, fixturePath, rejection } from './helpers.js'

describe('detectFormat', () => {
  test('tells mbox files, message files and directories apart', async ({ tempDir }) => {
    expect(await detectFormat(fixturePath('thunderbird.mbox'))).toBe('mbox')
    expect(await detectFormat(fixturePath('gmail-takeout.mbox'))).toBe('mbox')
    const eml = join(tempDir, 'message.eml')
    await writeFile(eml, 'Return-Path: <a@example.org>\r\nSubject: x\r\n\r\nFrom me\r\n')
    expect(await detectFormat(eml)).toBe('eml')
    const padded = join(tempDir, 'padded.mbox')
    await writeFile(
      padded,
      '\ufeff\n\r\nFrom a@example.org Thu Jan  1 00:00:00 2026\nSubject: x\n\n',
    )
    expect(await detectFormat(padded)).toBe('mbox')
    expect(await detectFormat(tempDir)).toBe('eml-dir')
  })

  test.for<[string, string | Buffer, RegExp]>([
    ['empty', '', /the file is empty/],
    ['blank', '\n \r\n\n', /only blank lines/],
    [
      'zip',
      Buffer.from('PK\x03\x04\x14\x00\x08\x08\x08\x00Takeout/Mail/All mail.mbox', 'latin1'),
      /unzip it first/,
    ],
    ['gzip', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]), /decompress it first/],
    ['binary', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]), /binary file/],
    ['text', 'Shopping list\n- milk\n', /neither a "From " line \(mbox\) nor a header field/],
    ['escaped', '>From a@example.org Thu Jan  1 00:00:00 2026\n', /neither/],
  ])(
    'refuses a %s file with IMPORT_FORMAT and a reason',
    async ([name, content, reason], { tempDir }) => {
      const path = join(tempDir, name)
      await writeFile(path, content)
      const err = await rejection(detectFormat(path))
      expect(codeOf(err)).toBe('IMPORT_FORMAT')
      expect((err as Error).message.startsWith(`${path}: `)).toBe(true)
      expect((err as Error).message).toMatch(reason)
    },
  )

  test('names a missing path', async ({ tempDir }) => {
    const path = join(tempDir, 'nope')
    const err = await rejection(detectFormat(path))
    expect(codeOf(err)).toBe('IMPORT_FORMAT')
    expect((err as Error).message).toBe(`${path}: no such file or directory`)
  })
})
