/**
 * The same UI in the Electron shell (src/app/electron), where an `electron` binary is installed: the
 * account opened by the main process, the renderer talking to it only through the preload's bridge, mail
 * arriving live, hostile HTML inert. Skipped, with a log line, where the binary is absent (it cannot be
 * downloaded in this environment: ELECTRON_SKIP_BINARY_DOWNLOAD).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { _electron, type ElectronApplication } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  electronBinary,
  passphraseOf,
  row,
  startUiWorld,
  type ServedAccount,
  type UiWorld,
  NETWORK_WAIT,
} from './harness.js'
import { hostileMails } from './hostile-payloads.js'

const binary = electronBinary()
if (!binary)
  console.log('electron binary not installed: skipping the Electron variant of the UI suite')

/** What the preload exposes, as the page sees it. */
interface Bridged {
  peermail?: { call(name: string, body: unknown): Promise<unknown> }
}

const MAIN = fileURLToPath(new URL('../../../dist/app/electron/main.js', import.meta.url))

// Generous per-test limits: first contact (stamps, a DHT lookup) is slow on a loaded 2-core machine.
describe.skipIf(!binary)('inbox UI in Electron', { timeout: 180_000 }, () => {
  let world: UiWorld | undefined
  let alice: ServedAccount
  let app: ElectronApplication | undefined
  let canary: Server
  let canaryOrigin: string
  const hits: string[] = []
  let bobAddress = ''

  beforeAll(async () => {
    canary = createServer((req, res) => {
      hits.push(req.url ?? '')
      res.end()
    })
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve))
    canaryOrigin = `http://127.0.0.1:${(canary.address() as AddressInfo).port}`
    world = await startUiWorld()
    alice = await world.serve('alice')
    // Bob's account is created (and filled) by the harness, then opened by Electron instead of the CLI.
    const bob = await world.serve('bob', async (account) => {
      bobAddress = account.address
      for (const mail of hostileMails(canaryOrigin).slice(0, 20))
        await account.mailbox.store.add({ raw: mail.raw, folder: 'inbox' })
    })
    await bob.cli.stop()
    app = await _electron.launch({
      executablePath: binary ?? '',
      args: [MAIN],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        PEERMAIL_HOME: join(world.dir, 'bob'),
        PEERMAIL_PASSPHRASE: passphraseOf('bob'),
        PEERMAIL_BOOTSTRAP: world.net.bootstrap.map((n) => `${n.host}:${n.port}`).join(','),
        ELECTRON_DISABLE_SECURITY_WARNINGS: 'false',
      },
    })
  }, 180_000)

  afterAll(async () => {
    await app?.close().catch(() => {})
    await world?.close()
    await new Promise((resolve) => canary.close(resolve))
  }, 60_000)

  test('the renderer has no Node and reaches the backend only through the bridge', async () => {
    const page = await app!.firstWindow()
    await page.getByRole('navigation', { name: 'Mailboxes' }).waitFor()
    await expect(
      page.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof process]),
    ).resolves.toEqual(['undefined', 'undefined'])
    await expect(
      page.evaluate(() => Object.keys((window as unknown as Bridged).peermail ?? {}).sort()),
    ).resolves.toEqual(['call', 'onEvent'])
    const unknown = await page.evaluate(() =>
      (window as unknown as Bridged).peermail?.call('exportKeys', {}),
    )
    expect(unknown).toMatchObject({ ok: false, error: { code: 'API_UNKNOWN_CALL' } })
    await expect(
      page.evaluate(() => (window as unknown as Bridged).peermail?.call('whoami', {})),
    ).resolves.toEqual({
      ok: true,
      value: { address: bobAddress },
    })
  })

  test('mail arrives live; hostile HTML stays inert', async () => {
    const page = await app!.firstWindow()
    const a = await world!.open(alice)
    await a.page.getByRole('button', { name: 'New message' }).click()
    const dialog = a.page.getByRole('dialog', { name: 'New message' })
    await dialog.getByLabel('To').fill(bobAddress)
    await dialog.getByLabel('Subject').fill('Hello Electron')
    await dialog.getByLabel('Message').fill('From the browser to the desktop app.')
    await dialog.getByRole('button', { name: 'Send' }).click()
    await page.locator('nav button[data-folder="requests"]').click()
    await row(page, 'Hello Electron').waitFor({ timeout: NETWORK_WAIT })

    await page.locator('nav button[data-folder="inbox"]').click()
    await page.getByRole('option').first().click()
    for (let i = 0; i < 20; i++) {
      await page
        .getByRole('region', { name: 'Reading pane' })
        .getByRole('heading')
        .first()
        .waitFor()
      await page.keyboard.press('j')
    }
    expect(hits).toEqual([])
    expect(await page.title()).toBe('Peermail')
  })
})
