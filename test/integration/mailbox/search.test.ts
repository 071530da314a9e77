import { describe, expect } from 'vitest'
import type { Mailbox } from '../../../src/mailbox/index.js'
import { rawMessage, test } from '../../helpers/mailbox.js'

async function subjects(mailbox: Mailbox, query: string): Promise<string[]> {
  return (await mailbox.search(query, { limit: 100 })).items.map((m) => m.subject).sort()
}

async function seed(mailbox: Mailbox) {
  const [budget, trip, receipt] = await Promise.all([
    mailbox.add({
      raw: rawMessage({
        from: 'Alice Smith <alice@example.org>',
        subject: 'Budget review',
        body: 'Quarterly numbers attached.',
      }),
    }),
    mailbox.add({
      raw: rawMessage({
        from: 'Bob <bob@travel.example>',
        subject: 'Trip to Lisbon',
        body: 'Flights are booked for the budget meeting.',
      }),
    }),
    mailbox.add({
      raw: rawMessage({
        from: 'Shop <noreply@shop.example>',
        subject: 'Your receipt',
        body: 'Invoice 4711 for your order.',
      }),
      folder: 'archive',
    }),
  ])
  return { budget: budget, trip: trip, receipt: receipt }
}

describe('mailbox search', () => {
  test('finds by words, fields, folders and flags, ranking subject matches first', async ({
    home,
  }) => {
    const mailbox = await home.open()
    const { budget } = await seed(mailbox)
    const ranked = (await mailbox.search('budget')).items.map((m) => m.subject)
    expect(ranked).toEqual(['Budget review', 'Trip to Lisbon'])
    expect(await subjects(mailbox, 'from:alice')).toEqual(['Budget review'])
    expect(await subjects(mailbox, 'from:example.org')).toEqual(['Budget review'])
    expect(await subjects(mailbox, 'in:archive')).toEqual(['Your receipt'])
    expect(await subjects(mailbox, 'invoice OR flights')).toEqual([
      'Trip to Lisbon',
      'Your receipt',
    ])
    expect(await subjects(mailbox, 'budget -lisbon')).toEqual(['Budget review'])
    expect(await subjects(mailbox, 'lisb*')).toEqual(['Trip to Lisbon'])
    await mailbox.setFlags(budget.id, { seen: true })
    expect(await subjects(mailbox, 'is:unread budget')).toEqual(['Trip to Lisbon'])
    await mailbox.move(budget.id, 'archive')
    expect(await subjects(mailbox, 'in:archive')).toEqual(['Budget review', 'Your receipt'])
  })

  test('forgets what was deleted for good', async ({ home }) => {
    const mailbox = await home.open()
    const { receipt } = await seed(mailbox)
    await mailbox.deleteForever(receipt.id)
    expect(await subjects(mailbox, 'invoice')).toEqual([])
  })

  test('persists across reopen, through the log and through snapshots', async ({ home }) => {
    let mailbox = await home.open({ searchSnapshotEvery: 5 })
    await seed(mailbox)
    for (let i = 0; i < 12; i++)
      await mailbox.add({ raw: rawMessage({ subject: `note ${i}`, body: `zebra${i}` }) })
    mailbox = await home.open({ searchSnapshotEvery: 5 })
    expect(await subjects(mailbox, 'budget')).toEqual(['Budget review', 'Trip to Lisbon'])
    expect(await subjects(mailbox, 'zebra11')).toEqual(['note 11'])
    expect((await mailbox.search('note')).total).toBe(12)
    mailbox = await home.open()
    expect((await mailbox.search('note')).total).toBe(12)
    expect((await mailbox.check()).problems).toEqual([])
  })

  test('rejects bad queries with a coded error', async ({ home }) => {
    const mailbox = await home.open()
    await expect(mailbox.search('frm:alice')).rejects.toMatchObject({
      code: 'SEARCH_QUERY_INVALID',
    })
    await expect(mailbox.search('"unclosed')).rejects.toMatchObject({
      code: 'SEARCH_QUERY_INVALID',
    })
  })

  test('searches running while the mailbox changes each see whole, current records', async ({
    home,
  }) => {
    const mailbox = await home.open()
    await seed(mailbox)
    // Searches read records from a snapshot kept between changes; interleave them with writes so that
    // snapshots are replaced while earlier searches still read theirs.
    const rounds = Array.from({ length: 12 }, async (_, i) => {
      const before = mailbox.search('budget')
      await mailbox.add({
        raw: rawMessage({
          from: 'Carol <carol@example.net>',
          subject: `Budget note ${i}`,
          body: 'x',
        }),
      })
      const after = await mailbox.search('budget', { limit: 100 })
      expect(after.items.map((m) => m.subject)).toContain(`Budget note ${i}`)
      expect(
        (await before).items.every(
          (m) => m.subject.startsWith('Budget') || m.subject.startsWith('Trip'),
        ),
      ).toBe(true)
    })
    await Promise.all(rounds)
    expect(await mailbox.search('budget', { limit: 100 })).toMatchObject({ total: 14 })
  })
})
