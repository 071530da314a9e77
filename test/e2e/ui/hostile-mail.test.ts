/**
 * Hostile mail in real Chromium: 60+ crafted HTML messages (hostile-payloads.ts) opened one by one in the
 * inbox UI while a canary HTTP server on 127.0.0.1 counts every request it gets. The count must stay zero,
 * no script may run (each script payload would both hit the canary and retitle the page), and links must
 * go nowhere until the user confirms their real target.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { crc32, deflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  openFolder,
  screenshotPath,
  startUiWorld,
  type OpenedPage,
  type ServedAccount,
  type UiWorld,
} from './harness.js'
import { hostileMails, inlineImageMail } from './hostile-payloads.js'

let world: UiWorld
let canary: Server
let canaryOrigin: string
const hits: string[] = []
let bob: ServedAccount
let b: OpenedPage
let mails: ReturnType<typeof hostileMails>

// Generous per-test limits: CI runs this beside the rest of the suite on 2 cores.
describe('hostile HTML mail', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    canary = createServer((req, res) => {
      hits.push(`${req.method ?? ''} ${req.url ?? ''}`)
      // no-store: a revoked sender's image must not come from the cache either, so every load is a hit.
      // The newsletter's image is a real picture, so a test can tell it was drawn, not only asked for.
      const picture = req.url === '/newsletter-remote.png'
      res.writeHead(200, {
        'Content-Type': picture ? 'image/png' : 'image/gif',
        'Cache-Control': 'no-store',
      })
      res.end(picture ? REMOTE_PICTURE : undefined)
    })
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve))
    canaryOrigin = `http://127.0.0.1:${(canary.address() as AddressInfo).port}`
    mails = hostileMails(canaryOrigin)
    world = await startUiWorld()
    bob = await world.serve('bob', async (account) => {
      for (const mail of mails) await account.mailbox.store.add({ raw: mail.raw, folder: 'inbox' })
      await account.mailbox.store.add({ raw: inlineImageMail(canaryOrigin), folder: 'inbox' })
    })
    b = await world.open(bob)
  }, 240_000)

  afterAll(async () => {
    await world.close()
    await new Promise((resolve) => canary.close(resolve))
  }, 60_000)

  test('the canary answers (so a zero below means something)', async () => {
    const res = await fetch(`${canaryOrigin}/self-test`)
    expect(res.status).toBe(200)
    expect(hits).toEqual(['GET /self-test'])
    hits.length = 0
  })

  test('control: the same browser does reach the canary from an unprotected page', async () => {
    const context = await world.browser.newContext()
    try {
      const page = await context.newPage()
      await page.setContent(`<img src="${canaryOrigin}/control">`)
      await expect.poll(() => hits.includes('GET /control')).toBe(true)
    } finally {
      await context.close()
      hits.length = 0
    }
  })

  test(`every hostile message renders with no request and no script`, async () => {
    expect(mails.length).toBeGreaterThanOrEqual(50)
    const { page } = b
    const reading = page.getByRole('region', { name: 'Reading pane' })
    const heading = reading.getByRole('heading', { level: 1 })
    // Walk the whole inbox with j, as a reader would, opening each message in turn.
    const seen = new Set<string>()
    await page.getByRole('option').first().click()
    for (let i = 0; i <= mails.length; i++) {
      await heading.waitFor()
      const subject = (await heading.textContent()) ?? ''
      expect(seen.has(subject), `opened twice: ${subject}`).toBe(false)
      seen.add(subject)
      const frame = reading.locator('iframe.mail-frame')
      if ((await frame.count()) > 0) {
        // The frame is sandboxed without scripts and carries its own default-src 'none' policy.
        await expect(frame.getAttribute('sandbox')).resolves.toBe('allow-same-origin')
        const doc = page.frameLocator('iframe.mail-frame')
        await doc.locator('body').waitFor({ state: 'attached' })
        await expect(
          doc.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'),
        ).resolves.toMatch(/^default-src 'none'/)
        // Nothing that fetches, submits or runs survived the sanitiser.
        const left = await doc
          .locator(
            'script, form, input, button, iframe, object, embed, link, meta[http-equiv="refresh"], svg, math, base, video, audio, [srcset], [background], [onerror], [onload], [href]',
          )
          .count()
        expect(left, subject).toBe(0)
      }
      if (i < mails.length) {
        await page.keyboard.press('j')
        await heading.filter({ hasNotText: subject }).waitFor()
      }
    }
    for (const mail of mails) expect(seen, mail.subject).toContain(mail.subject)
    await page.getByRole('searchbox', { name: 'Search mail' }).fill('')
    expect(await page.title()).toBe('Peermail')
    expect(hits, 'requests reached the canary').toEqual([])
    expect(b.foreignRequests).toEqual([])
  })

  test('links: javascript: goes nowhere, real links show their true target and wait for a yes', async () => {
    const { page } = b
    // Found by searching a word of the payload's name, then opened from the results.
    const open = async (name: string, word = name.split(/\W+/)[0] ?? name) => {
      const search = page.getByRole('searchbox', { name: 'Search mail' })
      await search.fill(`subject:${word}`)
      await search.press('Enter')
      await page
        .getByRole('option')
        .filter({ hasText: `: ${name}` })
        .first()
        .click()
      await page.getByRole('heading', { name: new RegExp(`: ${name}`) }).waitFor()
    }
    const doc = page.frameLocator('iframe.mail-frame')

    await open('javascript: link')
    await doc.locator('#js').click()
    await expect(page.getByRole('dialog').count()).resolves.toBe(0)

    await open('deceptive link text')
    const link = doc.locator('#deceptive')
    await expect(link.getAttribute('href')).resolves.toBeNull()
    await expect(link.getAttribute('title')).resolves.toBe(`${canaryOrigin}/65`)
    await link.click()
    const dialog = page.getByRole('dialog', { name: 'Open this link?' })
    await expect(dialog.getByTestId('link-target').textContent()).resolves.toContain(
      `${canaryOrigin}/65`,
    )
    // The text claims a bank; the dialog says the link goes elsewhere.
    await expect(dialog.getByRole('alert').textContent()).resolves.toMatch(
      /text shows bank\.example, but it goes somewhere else/,
    )
    await page.screenshot({ path: screenshotPath(world, 'link-confirm-light') })
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached' })

    await open('link with ping', 'ping')
    await doc.locator('#ping').click()
    await page
      .getByRole('dialog', { name: 'Open this link?' })
      .getByRole('button', { name: 'Cancel' })
      .click()

    await open('form')
    await expect(doc.locator('#go').count()).resolves.toBe(0)

    expect(hits).toEqual([])
    expect(b.foreignRequests).toEqual([])
    expect(await page.title()).toBe('Peermail')
  })

  test('an inline cid: image shows; the remote one is blocked with a banner', async () => {
    const { page } = b
    const search = page.getByRole('searchbox', { name: 'Search mail' })
    await search.fill('newsletter')
    await search.press('Enter')
    await page.getByRole('option').filter({ hasText: 'Newsletter with an inline logo' }).click()
    const reading = page.getByRole('region', { name: 'Reading pane' })
    await reading.getByTestId('remote-blocked').waitFor()
    await expect(reading.getByTestId('remote-blocked').textContent()).resolves.toMatch(
      /Remote content blocked \(1 item\)/,
    )
    const doc = page.frameLocator('iframe.mail-frame')
    await expect(doc.locator('#logo').getAttribute('src')).resolves.toMatch(
      /^data:image\/png;base64,/,
    )
    await expect(
      doc.locator('#logo').evaluate((img) => (img as HTMLImageElement).naturalWidth),
    ).resolves.toBe(1)
    await expect(doc.locator('img[alt="remote"]').getAttribute('src')).resolves.toBeNull()
    await page.screenshot({ path: screenshotPath(world, 'remote-blocked-light') })
    expect(hits).toEqual([])
    expect(b.pageErrors.filter((e) => !/Content Security Policy/.test(e))).toEqual([])
  })

  test('allowing a sender from the banner loads its remote image (and only its own)', async () => {
    const { page } = b
    const reading = page.getByRole('region', { name: 'Reading pane' })
    await reading.getByTestId('remote-blocked').waitFor()
    await reading
      .getByRole('button', { name: 'Always load remote content from news@example.com' })
      .click()
    await reading.getByTestId('remote-allowed').waitFor()
    // The switch works: the canary now sees the newsletter's image, fetched by the frame.
    await expect.poll(() => hits, { timeout: 30_000 }).toContain('GET /newsletter-remote.png')
    const doc = page.frameLocator('iframe.mail-frame')
    await expect(doc.locator('img[alt="remote"]').getAttribute('src')).resolves.toBe(
      `${canaryOrigin}/newsletter-remote.png`,
    )
    await expect
      .poll(
        () =>
          doc
            .locator('img[alt="remote"]')
            .evaluate((img) => (img as HTMLImageElement).naturalWidth),
        { timeout: 30_000 },
      )
      .toBe(REMOTE_PICTURE_WIDTH)
    await expect(
      doc.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'),
    ).resolves.toMatch(/^default-src 'none'; .*img-src data: https: http:;/)
    // Nothing but images: the frame still has no scripts, forms or stylesheets to load.
    await expect(frameSandbox(page)).resolves.toBe('allow-same-origin')
    await page.locator('.toast').waitFor({ state: 'detached', timeout: 15_000 })
    await page.screenshot({ path: screenshotPath(world, 'remote-allowed-light') })
    // The allow list is the account's: the Settings page shows it.
    await page.getByRole('button', { name: 'Settings' }).click()
    await page
      .getByRole('list', { name: 'Senders whose remote content loads' })
      .getByText('news@example.com')
      .waitFor()
    expect(hits.filter((h) => h !== 'GET /newsletter-remote.png')).toEqual([])
    hits.length = 0

    // Mallory is not allowed: a remote image of hers stays blocked, and the canary hears nothing.
    await openBySearch(page, 'subject:tracking', ': tracking pixel')
    await reading.getByTestId('remote-blocked').waitFor()
    expect(hits).toEqual([])
    expect(b.foreignRequests.filter((r) => !r.endsWith('/newsletter-remote.png'))).toEqual([])
  })

  test('revoking stops the loads: reopened, the newsletter fetches nothing', async () => {
    const { page } = b
    const reading = page.getByRole('region', { name: 'Reading pane' })
    await openBySearch(page, 'newsletter', 'Newsletter with an inline logo')
    await reading.getByTestId('remote-allowed').waitFor()
    await expect.poll(() => hits, { timeout: 30_000 }).toContain('GET /newsletter-remote.png')
    await reading
      .getByRole('button', { name: 'Stop loading remote content from news@example.com' })
      .click()
    await reading.getByTestId('remote-blocked').waitFor()
    hits.length = 0
    // Away and back: the message is drawn afresh, and with the sender revoked nothing is fetched.
    await openBySearch(page, 'subject:tracking', ': tracking pixel')
    await openBySearch(page, 'newsletter', 'Newsletter with an inline logo')
    await reading.getByTestId('remote-blocked').waitFor()
    const doc = page.frameLocator('iframe.mail-frame')
    await expect(doc.locator('img[alt="remote"]').getAttribute('src')).resolves.toBeNull()
    await expect(doc.locator('#logo').getAttribute('src')).resolves.toMatch(/^data:image\/png/)
    expect(hits).toEqual([])
    // Revoked in the settings file too: a fresh page load starts blocked.
    await page.reload()
    await page.getByRole('status').filter({ hasText: 'Online' }).waitFor()
    await openBySearch(page, 'newsletter', 'Newsletter with an inline logo')
    await reading.getByTestId('remote-blocked').waitFor()
    expect(hits).toEqual([])
    expect(await page.title()).toBe('Peermail')
  })

  test('even an allowed hostile sender gets images only: no script, form, frame, font, sheet or refresh', async () => {
    const { page } = b
    const reading = page.getByRole('region', { name: 'Reading pane' })
    const heading = reading.getByRole('heading', { level: 1 })
    await openBySearch(page, 'subject:tracking', ': tracking pixel')
    await reading
      .getByRole('button', { name: 'Always load remote content from mallory@example.com' })
      .click()
    await reading.getByTestId('remote-allowed').waitFor()
    await expect.poll(() => hits, { timeout: 30_000 }).toContain('GET /1')
    // Every message again, now with Mallory allowed.
    await openFolder(page, 'inbox')
    await page.getByRole('option').first().click()
    for (let i = 0; i < mails.length; i++) {
      await heading.waitFor()
      const subject = (await heading.textContent()) ?? ''
      await page.keyboard.press('j')
      await heading.filter({ hasNotText: subject }).waitFor()
    }
    // Only what img-src covers may have loaded; these payloads fetch as something else.
    const notImages = [
      ...['5', '6', '45', '46', '11', '12', '59'], // stylesheets, @import, prefetch, icon
      ...['10'], // font
      ...['13'], // meta refresh
      ...['14', '52'], // forms
      ...['22', '23', '49', '61', '24', '25'], // frames, portal, object, embed
      ...['26', '26b', '27', '54'], // media
      ...['15', '44', '63', '66'], // SVG resources
      ...['40', '40p', '41', '65', '60'], // links, ping, image map, behavior
    ].map((path) => `GET /${path}`)
    expect(hits.filter((h) => notImages.includes(h) || /script-|POST/.test(h))).toEqual([])
    expect(await page.title()).toBe('Peermail')
    // Revoked from Settings this time.
    await page.getByRole('button', { name: 'Settings' }).click()
    await page
      .getByRole('button', { name: 'Stop loading remote content from mallory@example.com' })
      .click()
    await page
      .getByRole('list', { name: 'Senders whose remote content loads' })
      .waitFor({ state: 'detached' })
    hits.length = 0
    await openBySearch(page, 'subject:tracking', ': tracking pixel')
    await reading.getByTestId('remote-blocked').waitFor()
    expect(hits).toEqual([])
  })
})

const REMOTE_PICTURE_WIDTH = 240
/** A 240×60 PNG in the newsletter's blue, made here (no fixture file to keep in sync). */
const REMOTE_PICTURE = solidPng(REMOTE_PICTURE_WIDTH, 60, [10, 100, 214])

function solidPng(width: number, height: number, [r, g, b]: number[]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const framed = Buffer.alloc(body.length + 8)
    framed.writeUInt32BE(data.length, 0)
    body.copy(framed, 4)
    framed.writeUInt32BE(crc32(body), body.length + 4)
    return framed
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill([r, g, b]).flat())])
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(Array<Buffer>(height).fill(row)))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function frameSandbox(page: OpenedPage['page']) {
  return page.locator('iframe.mail-frame').getAttribute('sandbox')
}

/** Searches `query` and opens the result whose subject contains `subject`. */
async function openBySearch(page: OpenedPage['page'], query: string, subject: string) {
  await openFolder(page, 'inbox')
  const search = page.getByRole('searchbox', { name: 'Search mail' })
  await search.fill(query)
  await search.press('Enter')
  await page.getByRole('option').filter({ hasText: subject }).first().click()
  await page
    .getByRole('region', { name: 'Reading pane' })
    .getByRole('heading', { name: new RegExp(subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) })
    .waitFor()
}
