import { describe, expect } from 'vitest'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import Corestore from 'corestore'
import { randomBytes } from '../../../src/crypto/index.js'
import { rawMessage, test } from '../../helpers/mailbox.js'

/** Every file under `dir`, read whole. */
async function filesUnder(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const out: { path: string; bytes: Buffer }[] = []
  for (const name of await readdir(dir)) {
    const path = join(dir, name)
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)))
    else out.push({ path, bytes: await readFile(path) })
  }
  return out
}

async function containsAnywhere(dir: string, needle: string): Promise<string[]> {
  const forms = [
    Buffer.from(needle),
    Buffer.from(needle.toUpperCase()),
    Buffer.from(needle, 'utf16le'),
  ]
  return (await filesUnder(dir))
    .filter(({ bytes }) => forms.some((form) => bytes.includes(form)))
    .map(({ path }) => path)
}

function withAttachment(canary: string): Buffer {
  const boundary = 'b1'
  return Buffer.from(
    [
      'From: Alice <alice@example.org>',
      'To: Bob <bob@example.org>',
      `Subject: ${canary} subject`,
      'Date: Thu, 01 Oct 2026 10:00:00 +0000',
      'Message-ID: <att@example.org>',
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      `The body mentions ${canary} too.`,
      `--${boundary}`,
      `Content-Type: application/octet-stream; name="${canary}.pdf"`,
      `Content-Disposition: attachment; filename="${canary}.pdf"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(`attachment bytes ${canary}`).toString('base64'),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  )
}

describe('mailbox storage', () => {
  test('stores, lists and reads a message; raw bytes are kept exactly', async ({ home }) => {
    const mailbox = await home.open()
    const raw = rawMessage({ subject: 'Lunch?', body: 'Noon at the usual place.' })
    const summary = await mailbox.add({ raw })
    expect(summary).toMatchObject({ folder: 'inbox', subject: 'Lunch?', flags: { seen: false } })
    expect(summary.from).toEqual([{ name: 'Alice', address: 'alice@example.org' }])
    expect(summary.snippet).toBe('Noon at the usual place.')
    const { items } = await mailbox.list({ folder: 'inbox' })
    expect(items.map((m) => m.id)).toEqual([summary.id])
    expect((await mailbox.raw(summary.id)).equals(raw)).toBe(true)
    expect((await mailbox.read(summary.id)).text?.trim()).toBe('Noon at the usual place.')
  })

  test('keeps no plaintext on disk: a canary in subject, body and attachment name is nowhere', async ({
    home,
  }) => {
    const canary = `canary${randomBytes(6).toString('hex')}`
    const mailbox = await home.open()
    const summary = await mailbox.add({ raw: withAttachment(canary) })
    expect(summary.subject).toContain(canary)
    expect((await mailbox.get(summary.id)).attachmentNames).toEqual([`${canary}.pdf`])
    await mailbox.add({ raw: rawMessage({ subject: `second ${canary}`, body: canary }) })
    await home.close()
    expect(await containsAnywhere(home.dir, canary)).toEqual([])
    // The scan itself works: a planted copy is found.
    const reopened = await home.open()
    expect((await reopened.list({ folder: 'inbox' })).items).toHaveLength(2)
    const { writeFile } = await import('node:fs/promises')
    await writeFile(join(home.dir, 'planted'), `x ${canary} x`)
    expect(await containsAnywhere(home.dir, canary)).toEqual([join(home.dir, 'planted')])
  })

  test('reopens with everything in place', async ({ home }) => {
    let mailbox = await home.open()
    const a = await mailbox.add({ raw: rawMessage({ subject: 'one' }) })
    await mailbox.add({ raw: rawMessage({ subject: 'two' }), folder: 'archive' })
    await mailbox.setFlags(a.id, { seen: true, flagged: true })
    const countsBefore = await mailbox.counts()
    mailbox = await home.open()
    expect(await mailbox.counts()).toEqual(countsBefore)
    expect((await mailbox.get(a.id)).flags).toEqual({ seen: true, flagged: true, answered: false })
  })

  test('refuses the wrong storage key with a coded error', async ({ home }) => {
    const mailbox = await home.open()
    await mailbox.add({ raw: rawMessage({}) })
    await expect(home.open({ key: randomBytes(32) })).rejects.toMatchObject({
      code: 'MAILBOX_WRONG_KEY',
    })
    // The right key still opens it: nothing was damaged.
    expect((await (await home.open()).list({ folder: 'inbox' })).items).toHaveLength(1)
  })

  test('enforces the size limit with a coded error and stores the rest', async ({ home }) => {
    const mailbox = await home.open({ maxMessageBytes: 1000 })
    const results = await mailbox.addMany([
      { raw: rawMessage({ body: 'x'.repeat(2000) }) },
      { raw: rawMessage({ subject: 'fits' }) },
    ])
    expect(results[0]).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } })
    expect(results[1]).toMatchObject({ ok: true, summary: { subject: 'fits' } })
    await expect(
      mailbox.add({ raw: rawMessage({ body: 'y'.repeat(2000) }) }),
    ).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
    })
  })

  test('stores a 25 MB message and gives back the same bytes', async ({ home }) => {
    const mailbox = await home.open()
    const payload = randomBytes(18 * 1024 * 1024)
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n')
    const raw = Buffer.concat([
      rawMessage({ subject: 'big', extraHeaders: [] }).subarray(0, -2),
      Buffer.from(payload),
    ])
    expect(raw.byteLength).toBeGreaterThan(24 * 1024 * 1024)
    const summary = await mailbox.add({ raw })
    expect((await mailbox.raw(summary.id)).equals(raw)).toBe(true)
  })

  test('keeps a message that cannot be parsed, as raw text', async ({ home }) => {
    const mailbox = await home.open()
    const raw = Buffer.from('\x00\x01 this is not \xff\xfe an email at all')
    const summary = await mailbox.add({ raw })
    expect((await mailbox.raw(summary.id)).equals(raw)).toBe(true)
    const read = await mailbox.read(summary.id)
    expect(typeof read.subject).toBe('string')
  })

  test('stores the same bytes once', async ({ home }) => {
    const mailbox = await home.open()
    const raw = rawMessage({ subject: 'dup' })
    const [first, second] = await mailbox.addMany([{ raw }, { raw }])
    const third = (await mailbox.addMany([{ raw }]))[0]
    expect(first).toMatchObject({ ok: true, duplicate: false })
    expect(second).toMatchObject({ ok: true, duplicate: true })
    expect(third).toMatchObject({ ok: true, duplicate: true })
    expect((await mailbox.list({ folder: 'inbox' })).items).toHaveLength(1)
    expect((await mailbox.counts()).inbox).toEqual({ total: 1, unread: 1 })
  })

  test('a batch written `after` another commits behind it, and not at all if that one failed', async ({
    home,
  }) => {
    const mailbox = await home.open()
    let release = (): void => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const first = mailbox.addMany([{ raw: rawMessage({ subject: 'first' }) }], {
      state: () => [{ name: 'cursor', value: 1 }],
      after: gate,
    })
    const second = mailbox.addMany([{ raw: rawMessage({ subject: 'second' }) }], {
      state: () => [{ name: 'cursor', value: 2 }],
      after: first,
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await mailbox.list({ folder: 'inbox' })).items).toHaveLength(0)
    release()
    await second
    expect(await mailbox.state.get('cursor')).toBe(2)
    expect((await mailbox.counts()).inbox).toEqual({ total: 2, unread: 2 })

    const failed = Promise.reject(new Error('the write before failed'))
    await expect(
      mailbox.addMany([{ raw: rawMessage({ subject: 'third' }) }], {
        state: () => [{ name: 'cursor', value: 3 }],
        after: failed,
      }),
    ).rejects.toThrow('the write before failed')
    expect(await mailbox.state.get('cursor')).toBe(2)
    expect((await mailbox.list({ folder: 'inbox' })).items).toHaveLength(2)
  })

  test('rejects bad input with coded errors', async ({ home }) => {
    const mailbox = await home.open()
    await expect(mailbox.add({ raw: 'text' as unknown as Buffer })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(mailbox.add({ raw: Buffer.alloc(0) })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(mailbox.add({ raw: rawMessage({}), folder: 'nope' })).rejects.toMatchObject({
      code: 'FOLDER_NOT_FOUND',
    })
    await expect(mailbox.get('../../etc')).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND' })
    await expect(mailbox.list({ folder: 'inbox', limit: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(mailbox.list({ folder: 'inbox', cursor: 'zzz' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await home.close()
    await expect(mailbox.list({ folder: 'inbox' })).rejects.toMatchObject({
      code: 'MAILBOX_CLOSED',
    })
  })
})

describe('folders, flags and counts', () => {
  test('counts follow adds, flags, moves and deletes without a scan', async ({ home }) => {
    const mailbox = await home.open()
    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map((s) => mailbox.add({ raw: rawMessage({ subject: s }) })),
    )
    expect((await mailbox.counts()).inbox).toEqual({ total: 3, unread: 3 })
    await mailbox.setFlags(a!.id, { seen: true })
    expect((await mailbox.counts()).inbox).toEqual({ total: 3, unread: 2 })
    await mailbox.move(b!.id, 'archive')
    expect(await mailbox.counts()).toMatchObject({
      inbox: { total: 2, unread: 1 },
      archive: { total: 1, unread: 1 },
    })
    await mailbox.trash(c!.id)
    expect((await mailbox.counts()).trash).toEqual({ total: 1, unread: 1 })
    expect((await mailbox.restore(c!.id)).folder).toBe('inbox')
    const copy = await mailbox.copy(a!.id, 'archive')
    expect(copy.id).not.toBe(a!.id)
    expect((await mailbox.counts()).archive).toEqual({ total: 2, unread: 1 })
    await mailbox.deleteForever(b!.id)
    expect(await mailbox.counts()).toMatchObject({
      inbox: { total: 2, unread: 1 },
      archive: { total: 1, unread: 0 },
    })
    expect((await mailbox.list({ folder: 'inbox', unread: true })).items.map((m) => m.id)).toEqual([
      c!.id,
    ])
  })

  test('lists newest first, page by page', async ({ home }) => {
    const mailbox = await home.open()
    const days = [5, 1, 3, 2, 4]
    await mailbox.addMany(
      days.map((d) => ({
        raw: rawMessage({ subject: `day ${d}`, date: `Thu, 0${d} Oct 2026 10:00:00 +0000` }),
      })),
    )
    const first = await mailbox.list({ folder: 'inbox', limit: 2 })
    expect(first.items.map((m) => m.subject)).toEqual(['day 5', 'day 4'])
    const second = await mailbox.list({ folder: 'inbox', limit: 2, cursor: first.next! })
    expect(second.items.map((m) => m.subject)).toEqual(['day 3', 'day 2'])
    const third = await mailbox.list({ folder: 'inbox', limit: 2, cursor: second.next! })
    expect(third.items.map((m) => m.subject)).toEqual(['day 1'])
    expect(third.next).toBeUndefined()
  })

  test('custom folders: create, rename with messages, remove to trash; built-ins protected', async ({
    home,
  }) => {
    const mailbox = await home.open()
    await mailbox.folders.create('Projects')
    await expect(mailbox.folders.create('Projects')).rejects.toMatchObject({
      code: 'FOLDER_EXISTS',
    })
    await expect(mailbox.folders.create('inbox')).rejects.toMatchObject({ code: 'FOLDER_EXISTS' })
    await expect(mailbox.folders.create('bad\x00name')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    const m = await mailbox.add({ raw: rawMessage({}), folder: 'Projects' })
    await mailbox.folders.rename('Projects', 'Work')
    expect((await mailbox.get(m.id)).folder).toBe('Work')
    expect((await mailbox.counts()).Work).toEqual({ total: 1, unread: 1 })
    expect((await mailbox.counts()).Projects).toEqual({ total: 0, unread: 0 })
    await expect(mailbox.folders.rename('inbox', 'x')).rejects.toMatchObject({
      code: 'FOLDER_PROTECTED',
    })
    await expect(mailbox.folders.remove('trash')).rejects.toMatchObject({
      code: 'FOLDER_PROTECTED',
    })
    await mailbox.folders.remove('Work')
    expect((await mailbox.get(m.id)).folder).toBe('trash')
    expect((await mailbox.restore(m.id)).folder).toBe('inbox')
    const names = (await mailbox.folders.list()).map((f) => f.name)
    expect(names).toEqual(['inbox', 'requests', 'sent', 'drafts', 'archive', 'spam', 'trash'])
  })

  test('labels', async ({ home }) => {
    const mailbox = await home.open()
    const m = await mailbox.add({ raw: rawMessage({}), labels: ['travel'] })
    expect((await mailbox.label(m.id, { add: ['receipts'], remove: ['travel'] })).labels).toEqual([
      'receipts',
    ])
  })
})

describe('delete for good', () => {
  test('erases the stored blocks and the index entries', async ({ home }) => {
    const mailbox = await home.open()
    const m = await mailbox.add({ raw: rawMessage({ body: 'secret plans' }) })
    const { blob } = await mailbox.get(m.id)
    await mailbox.deleteForever(m.id)
    await expect(mailbox.get(m.id)).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND' })
    expect((await mailbox.list({ folder: 'inbox' })).items).toEqual([])
    await home.close()
    // Look at the blob log directly: the message's blocks are gone from disk.
    const store = new Corestore(join(home.dir, 'cores'))
    const core = store.get({ name: 'mailbox-blobs' })
    await core.ready()
    expect(core.length).toBeGreaterThanOrEqual(blob.start + blob.count)
    expect(await core.has(blob.start, blob.start + blob.count)).toBe(false)
    expect(await core.has(0)).toBe(true)
    await store.close()
  })

  test('state reads and lookups interleaved with deletes for good return what is stored', async ({
    home,
  }) => {
    const mailbox = await home.open()
    const kept = await mailbox.add({ raw: rawMessage({ subject: 'kept' }) })
    const doomed = []
    for (let i = 0; i < 8; i++) {
      doomed.push(await mailbox.add({ raw: rawMessage({ subject: `doomed ${i}` }) }))
      await mailbox.commit({ state: [{ name: `test/${i}`, value: i }] })
    }
    const deletes = doomed.map((m) => mailbox.deleteForever(m.id))
    const reads: Promise<unknown>[] = []
    for (let round = 0; round < 20; round++) {
      reads.push(mailbox.state.list('test/'), mailbox.state.get('test/3'), mailbox.get(kept.id))
      await new Promise((resolve) => setImmediate(resolve))
    }
    await Promise.all(deletes)
    const results = await Promise.all(reads)
    for (let i = 0; i < results.length; i += 3) {
      expect((results[i] as unknown[]).length).toBe(8)
      expect(results[i + 1]).toBe(3)
      expect((results[i + 2] as { subject: string }).subject).toBe('kept')
    }
    expect((await mailbox.list({ folder: 'inbox' })).items.map((m) => m.subject)).toEqual(['kept'])
    expect((await mailbox.check()).problems).toEqual([])
  })
})

describe('drafts and delivery status', () => {
  test('a draft saves, reopens and is replaced by its next version', async ({ home }) => {
    const mailbox = await home.open()
    const v1 = await mailbox.saveDraft(rawMessage({ subject: 'draft v1' }))
    expect(v1).toMatchObject({ folder: 'drafts', flags: { seen: true } })
    const v2 = await mailbox.saveDraft(rawMessage({ subject: 'draft v2' }), { replaces: v1.id })
    const drafts = (await mailbox.list({ folder: 'drafts' })).items
    expect(drafts.map((d) => d.id)).toEqual([v2.id])
    expect((await mailbox.read(v2.id)).subject).toBe('draft v2')
    const inbox = await mailbox.add({ raw: rawMessage({}) })
    await expect(mailbox.saveDraft(rawMessage({}), { replaces: inbox.id })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
  })

  test('delivery status per recipient only moves forward', async ({ home }) => {
    const mailbox = await home.open()
    const m = await mailbox.add({ raw: rawMessage({}), folder: 'sent', flags: { seen: true } })
    await mailbox.setDelivery(m.id, 'bob', 'queued')
    await mailbox.setDelivery(m.id, 'carol', 'relayed')
    await mailbox.setDelivery(m.id, 'bob', 'delivered')
    await mailbox.setDelivery(m.id, 'bob', 'queued')
    expect((await mailbox.get(m.id)).delivery).toEqual({ bob: 'delivered', carol: 'relayed' })
    const listed = (await mailbox.list({ folder: 'sent' })).items[0]
    expect(listed?.delivery).toEqual({ bob: 'delivered', carol: 'relayed' })
    // A receipt batch: the record and its listing follow, counts and thread stay as they were.
    await mailbox.commit({ deliveries: [{ id: m.id, recipient: 'carol', state: 'delivered' }] })
    expect((await mailbox.list({ folder: 'sent' })).items[0]?.delivery).toEqual({
      bob: 'delivered',
      carol: 'delivered',
    })
    expect((await mailbox.counts()).sent).toEqual({ total: 1, unread: 0 })
    expect(await mailbox.thread(m.threadId)).toHaveLength(1)
    expect((await mailbox.check()).problems).toEqual([])
    await expect(mailbox.setDelivery(m.id, 'bob', 'lost' as 'queued')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
  })
})
