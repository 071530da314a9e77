/**
 * The mailbox records its index layout version and refuses one written by newer code, rather than
 * misread it; a mailbox from before the version existed is format 1 and gets the entry on open.
 */
import { join } from 'node:path'
import Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { describe, expect } from 'vitest'
import { deriveSubkey } from '../../../src/crypto/index.js'
import { MAILBOX_FORMAT } from '../../../src/mailbox/index.js'
import { rawMessage, test, type MailboxHome } from '../../helpers/mailbox.js'

const FORMAT_KEY = 'meta\x00format'

// Reads or changes the format entry directly in the index, as another version of Peermail would.
async function withIndex<T>(home: MailboxHome, fn: (bee: Hyperbee) => Promise<T>): Promise<T> {
  await home.close()
  const store = new Corestore(join(home.dir, 'cores'))
  const core = store.get({
    name: 'mailbox-index',
    encryption: { key: deriveSubkey(home.storageKey, 'PMMBXIDX') },
  })
  const bee = new Hyperbee(core, { keyEncoding: 'utf-8', valueEncoding: 'json' })
  try {
    await bee.ready()
    return await fn(bee)
  } finally {
    await bee.close()
    await store.close()
  }
}

describe('mailbox format', () => {
  test('a new mailbox records its format; one without the entry gets it and keeps its mail', async ({
    home,
  }) => {
    const mailbox = await home.open()
    const stored = await mailbox.add({ raw: rawMessage({ subject: 'kept' }) })
    expect(MAILBOX_FORMAT).toBe(1)
    expect(await withIndex(home, async (bee) => (await bee.get(FORMAT_KEY))?.value)).toBe(1)

    // A mailbox written before the entry existed.
    await withIndex(home, (bee) => bee.del(FORMAT_KEY))
    const reopened = await home.open()
    expect((await reopened.get(stored.id)).subject).toBe('kept')
    expect(await withIndex(home, async (bee) => (await bee.get(FORMAT_KEY))?.value)).toBe(1)
  })

  test('a mailbox of a newer format is refused with a coded error, and left as it was', async ({
    home,
  }) => {
    const mailbox = await home.open()
    await mailbox.add({ raw: rawMessage({ subject: 'from the future' }) })
    await withIndex(home, (bee) => bee.put(FORMAT_KEY, MAILBOX_FORMAT + 1))
    await expect(home.open()).rejects.toMatchObject({ code: 'MAILBOX_FORMAT_TOO_NEW' })
    expect(await withIndex(home, async (bee) => (await bee.get(FORMAT_KEY))?.value)).toBe(
      MAILBOX_FORMAT + 1,
    )
    // Not a version number at all: damaged, not "newer".
    await withIndex(home, (bee) => bee.put(FORMAT_KEY, 'two'))
    await expect(home.open()).rejects.toMatchObject({ code: 'MAILBOX_CORRUPT' })
  })
})
