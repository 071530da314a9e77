import { describe, expect } from 'vitest'
import { createHash } from 'node:crypto'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exportMail, importMail, type Mailbox } from '../../../src/mailbox/index.js'
import { test } from '../../helpers/mailbox.js'

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/mbox/${name}`, import.meta.url))
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

async function allIds(mailbox: Mailbox): Promise<string[]> {
  const ids: string[] = []
  for (const folder of (await mailbox.folders.list()).map((f) => f.name)) {
    ids.push(...(await mailbox.list({ folder, limit: 500 })).items.map((m) => m.id))
  }
  return ids
}

async function rawHashes(mailbox: Mailbox): Promise<string[]> {
  const hashes: string[] = []
  for (const folder of (await mailbox.folders.list()).map((f) => f.name)) {
    for (const m of (await mailbox.list({ folder, limit: 500 })).items)
      hashes.push(sha(await mailbox.raw(m.id)))
  }
  return hashes.sort()
}

describe('import and export', () => {
  test('imports Thunderbird and Gmail mbox files, reporting progress', async ({ home }) => {
    const mailbox = await home.open()
    const progress: number[] = []
    const report = await importMail(
      mailbox,
      [fixture('thunderbird.mbox'), fixture('gmail-takeout.mbox')],
      {
        onProgress: (p) => progress.push(p.messages),
      },
    )
    expect(report.problems).toEqual([])
    expect(report.imported).toBeGreaterThanOrEqual(4)
    expect(progress.length).toBeGreaterThan(0)
    expect((await allIds(mailbox)).length).toBe(report.imported)
    expect((await mailbox.check()).problems).toEqual([])
    // Where Gmail had them, and what Thunderbird recorded as read.
    const counts = await mailbox.counts()
    expect(counts.sent?.total).toBe(1)
    expect(counts.archive?.total).toBe(1)
    expect((await mailbox.search('label:Receipts')).total).toBe(1)
    expect(counts.inbox?.total).toBe(report.imported - 2)
    // Importing again stores nothing twice.
    const again = await importMail(mailbox, [fixture('thunderbird.mbox')])
    expect(again.imported).toBe(0)
    expect(again.duplicates).toBeGreaterThan(0)
  })

  test('a damaged file imports the good messages and names the bad ones', async ({ home }) => {
    const mailbox = await home.open()
    const report = await importMail(mailbox, [fixture('damaged.mbox')])
    expect(report.imported).toBeGreaterThan(0)
    expect(report.problems.length).toBeGreaterThan(0)
    for (const problem of report.problems) {
      expect(problem.file).toBe(fixture('damaged.mbox'))
      expect(problem.message).toMatch(/bytes? \d+/)
    }
  })

  test('mbox export then import is byte-identical', async ({ home }) => {
    const mailbox = await home.open()
    await importMail(mailbox, [
      fixture('thunderbird.mbox'),
      fixture('gmail-takeout.mbox'),
      fixture('mboxrd.mbox'),
    ])
    const before = await rawHashes(mailbox)
    const out = join(home.dir, 'export.mbox')
    const result = await exportMail(mailbox, { format: 'mbox', out })
    expect(result.messages).toBe(before.length)
    await expect(exportMail(mailbox, { format: 'mbox', out })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })

    const fresh = await home.open()
    await fresh.deleteForever(await allIds(fresh))
    expect(await rawHashes(fresh)).toEqual([])
    const report = await importMail(fresh, [out])
    expect(report.problems).toEqual([])
    expect(await rawHashes(fresh)).toEqual(before)
  })

  test('eml export then import is byte-identical', async ({ home }) => {
    const mailbox = await home.open()
    await importMail(mailbox, [fixture('gmail-takeout.mbox')])
    const before = await rawHashes(mailbox)
    const dir = join(home.dir, 'eml')
    await mkdir(dir)
    await exportMail(mailbox, { format: 'eml', out: dir })
    const sentOnly = join(home.dir, 'sent-only')
    await mkdir(sentOnly)
    expect(
      (await exportMail(mailbox, { format: 'eml', out: sentOnly, folder: 'sent' })).messages,
    ).toBe(1)
    expect((await readdir(dir)).filter((n) => n.endsWith('.eml'))).toHaveLength(before.length)
    await mailbox.deleteForever(await allIds(mailbox))
    const report = await importMail(mailbox, [dir])
    expect(report.imported).toBe(before.length)
    expect(await rawHashes(mailbox)).toEqual(before)
  })

  test('refuses unknown folders and formats', async ({ home }) => {
    const mailbox = await home.open()
    await expect(
      importMail(mailbox, [fixture('mboxrd.mbox')], { folder: 'nope' }),
    ).rejects.toMatchObject({
      code: 'FOLDER_NOT_FOUND',
    })
    await expect(
      exportMail(mailbox, { format: 'zip' as 'mbox', out: join(home.dir, 'x') }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})
