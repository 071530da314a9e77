import { readFileSync } from 'node:fs'
import { expect, onTestFinished } from 'vitest'
import { MailboxErrorCode } from '../../../../src/mailbox/errors.js'
import {
  createMimeParser,
  type MimeParser,
  type MimeParserOptions,
  type ParsedMessage,
} from '../../../../src/mailbox/mime/index.js'

/** The hand-written messages in test/fixtures/mime. */
export const FIXTURES = [
  'plain',
  'alternative',
  'inline-image',
  'latin1',
  'reply',
  'malformed',
  'bare-lf',
] as const
export type FixtureName = (typeof FIXTURES)[number]

export function fixture(name: FixtureName): Buffer {
  return readFileSync(new URL(`../../../fixtures/mime/${name}.eml`, import.meta.url))
}

/** A parser closed when the current test ends. */
export function openParser(options?: MimeParserOptions): MimeParser {
  const parser = createMimeParser(options)
  onTestFinished(() => parser.close())
  return parser
}

/** Worker threads alive in this process, from the diagnostic report (it lists idle, unref'd ones too). */
export function liveWorkers(): number {
  return (process.report.getReport() as { workers: unknown[] }).workers.length
}

/** A message with one base64 attachment of `bytes` bytes. */
export function messageWithAttachment(bytes: number, subject = 'big attachment'): Buffer {
  const base64 = Buffer.alloc(bytes, 0x5a).toString('base64').replace(/.{76}/g, '$&\r\n')
  return Buffer.from(
    [
      'From: Sender <sender@example.org>',
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--b',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="big.bin"',
      '',
      base64,
      '--b--',
      '',
    ].join('\r\n'),
  )
}

const FALLBACK_CODES: string[] = [
  MailboxErrorCode.PARSE_FAILED,
  MailboxErrorCode.PARSE_TIMEOUT,
  MailboxErrorCode.PARSE_HEAP,
  MailboxErrorCode.MESSAGE_TOO_LARGE,
]

/** Asserts the shape every parse result has, fallback or not. */
export function expectWellFormed(message: ParsedMessage): void {
  expect(typeof message.subject).toBe('string')
  for (const list of [message.from, message.to, message.cc, message.bcc, message.replyTo]) {
    expect(Array.isArray(list)).toBe(true)
    for (const a of list) expect([typeof a.name, typeof a.address]).toEqual(['string', 'string'])
  }
  expect(message.references.every((r) => typeof r === 'string')).toBe(true)
  for (const a of message.attachments) {
    expect(Buffer.isBuffer(a.content)).toBe(true)
    expect(a.size).toBe(a.content.byteLength)
  }
  if (message.parseError !== undefined) {
    expect(FALLBACK_CODES).toContain(message.parseError.code)
    expect(typeof message.text).toBe('string')
  }
}
