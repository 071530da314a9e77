/**
 * A big folder in Chromium: thousands of real messages in the account, the list virtualised (only the
 * rows in view exist in the DOM), later pages loaded as the reader scrolls, the last message reachable.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openFolder, row, startUiWorld, type OpenedPage, type UiWorld } from './harness.js'

const COUNT = 3000

function raw(i: number): Buffer {
  const n = String(i).padStart(5, '0')
  return Buffer.from(
    [
      `From: "Sender ${i % 37}" <sender${i % 37}@example.com>`,
      'To: bob@example.com',
      `Subject: Bulk message ${n}`,
      `Date: ${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}`,
      `Message-ID: <bulk-${n}@example.com>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Body of message ${n}.`,
      '',
    ].join('\r\n'),
  )
}

let world: UiWorld
let b: OpenedPage

// Generous per-test limits: CI runs this beside the rest of the suite on 2 cores.
describe('a large folder', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    world = await startUiWorld()
    const bob = await world.serve('bob', async (account) => {
      await account.mailbox.store.folders.create('Bulk')
      for (let start = 0; start < COUNT; start += 500) {
        const inputs = Array.from({ length: Math.min(500, COUNT - start) }, (_, k) => ({
          raw: raw(start + k),
          folder: 'Bulk',
        }))
        const results = await account.mailbox.store.addMany(inputs)
        expect(results.every((r) => r.ok)).toBe(true)
      }
    })
    b = await world.open(bob)
  }, 240_000)

  afterAll(async () => {
    await world.close()
  }, 60_000)

  test(`${COUNT} messages: only the visible rows are in the DOM, and scrolling reaches the last`, async () => {
    const { page } = b
    await openFolder(page, 'Bulk')
    await page.getByText(`${COUNT} messages`).waitFor()
    const list = page.getByRole('listbox', { name: 'Messages in Bulk' })
    await list.getByRole('option').first().waitFor()
    const rendered = await list.getByRole('option').count()
    expect(rendered).toBeGreaterThan(5)
    expect(rendered).toBeLessThan(60)

    // Scroll to the bottom until every page is loaded and the oldest message shows.
    const oldest = row(page, 'Bulk message 00000')
    for (let i = 0; i < 100 && (await oldest.count()) === 0; i++) {
      await list.evaluate((el) => {
        el.scrollTop = el.scrollHeight
      })
      await page.waitForTimeout(100)
    }
    await oldest.waitFor()
    expect(await list.getByRole('option').count()).toBeLessThan(60)
    await expect(oldest.getAttribute('aria-setsize')).resolves.toBe(String(COUNT))
    await expect(oldest.getAttribute('aria-posinset')).resolves.toBe(String(COUNT))

    await oldest.click()
    await page
      .getByRole('region', { name: 'Reading pane' })
      .getByRole('heading', { name: 'Bulk message 00000' })
      .waitFor()
    // k walks back up: the selection stays in view as it moves.
    await page.keyboard.press('k')
    await page
      .getByRole('region', { name: 'Reading pane' })
      .getByRole('heading', { name: 'Bulk message 00001' })
      .waitFor()
    await expect(row(page, 'Bulk message 00001').getAttribute('aria-selected')).resolves.toBe(
      'true',
    )
    expect(b.pageErrors).toEqual([])
  })
})
