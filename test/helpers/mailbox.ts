import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Corestore from 'corestore'
import { test as base } from 'vitest'
import { randomBytes } from '../../src/crypto/index.js'
import {
  createMimeParser,
  openMailbox,
  type Mailbox,
  type MimeParser,
} from '../../src/mailbox/index.js'

/** An on-disk mailbox home: its directory, key, and a way to (re)open the mailbox in it. */
export interface MailboxHome {
  dir: string
  storageKey: Buffer
  parser: MimeParser
  /** Opens the mailbox (closing any previous one opened here first); `key` overrides the storage key. */
  open(options?: {
    key?: Buffer
    maxMessageBytes?: number
    searchSnapshotEvery?: number
  }): Promise<Mailbox>
  /** Closes whatever `open` opened. */
  close(): Promise<void>
}

/** vitest fixture: a fresh mailbox home per test, everything closed and deleted afterwards. */
export const test = base.extend<{ home: MailboxHome }>({
  // eslint-disable-next-line no-empty-pattern
  home: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'peermail-mailbox-'))
    const storageKey = randomBytes(32)
    const parser = createMimeParser()
    let store: Corestore | undefined
    let mailbox: Mailbox | undefined
    const close = async () => {
      await mailbox?.close()
      await store?.close()
      mailbox = undefined
      store = undefined
    }
    const home: MailboxHome = {
      dir,
      storageKey,
      parser,
      async open(options = {}) {
        await close()
        store = new Corestore(join(dir, 'cores'))
        mailbox = await openMailbox(
          { store, parser },
          {
            storageKey: options.key ?? storageKey,
            ...(options.maxMessageBytes === undefined
              ? {}
              : { maxMessageBytes: options.maxMessageBytes }),
            ...(options.searchSnapshotEvery === undefined
              ? {}
              : { searchSnapshotEvery: options.searchSnapshotEvery }),
          },
        )
        return mailbox
      },
      close,
    }
    await use(home)
    await close()
    await parser.close()
    await rm(dir, { recursive: true, force: true })
  },
})

/** A small RFC 5322 message, CRLF line endings. */
export function rawMessage(fields: {
  from?: string
  to?: string
  subject?: string
  body?: string
  messageId?: string
  inReplyTo?: string
  references?: string
  date?: string
  extraHeaders?: string[]
}): Buffer {
  const lines = [
    `From: ${fields.from ?? 'Alice <alice@example.org>'}`,
    `To: ${fields.to ?? 'Bob <bob@example.org>'}`,
    `Subject: ${fields.subject ?? 'Hello'}`,
    `Date: ${fields.date ?? 'Thu, 01 Oct 2026 10:00:00 +0000'}`,
    `Message-ID: ${fields.messageId ?? `<${randomBytes(8).toString('hex')}@example.org>`}`,
    ...(fields.inReplyTo ? [`In-Reply-To: ${fields.inReplyTo}`] : []),
    ...(fields.references ? [`References: ${fields.references}`] : []),
    ...(fields.extraHeaders ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    fields.body ?? 'Hi Bob.',
    '',
  ]
  return Buffer.from(lines.join('\r\n'))
}
