/**
 * The inbox UI end to end: real `peermail serve` processes (the built binary) on a loopback DHT, driven in
 * real Chromium through playwright-core. Accounts are created in-process with cheap vault parameters (the
 * vault is tested elsewhere), optionally pre-filled with mail, then served by the CLI as a user would.
 */
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import {
  createLocalNetwork,
  openAccount,
  type Account,
  type LocalNetwork,
} from '../../../src/index.js'
import { startPeermail, type RunningCli } from '../../helpers/cli.js'
import { FAST_BACKOFFS, FAST_VAULT } from '../../helpers/network.js'

export const CHROMIUM = process.env.PEERMAIL_CHROMIUM ?? '/usr/bin/chromium'

/**
 * How long to wait for mail to cross the loopback network. First contact carries a proof-of-work stamp;
 * the served nodes ask for difficulty {@link UI_STAMP_DIFFICULTY} (not 16): ~1 ms a stamp, not ~0.1 s. The
 * bound stays generous so that a loaded 2-core machine never fails a test, and finite so a lost message
 * still does.
 */
export const NETWORK_WAIT = 150_000

/** The stamp difficulty `peermail serve` asks of strangers here, through its test-only knob. */
export const UI_STAMP_DIFFICULTY = 8

/**
 * Where a screenshot goes: the README's pictures in docs/screenshots with PEERMAIL_SCREENSHOTS=1
 * (`npm run screenshots`), else the world's temp dir, so an ordinary test run leaves the tree as it was
 * (the pictures are still taken, so the code that takes them is exercised).
 */
export function screenshotPath(world: UiWorld, name: string): string {
  return process.env.PEERMAIL_SCREENSHOTS
    ? fileURLToPath(new URL(`../../../docs/screenshots/${name}.png`, import.meta.url))
    : join(world.dir, `${name}.png`)
}

/**
 * Fails loudly when Chromium is missing: CI installs it (.ci/run), so a missing browser is a broken
 * environment, never a reason to skip.
 */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set PEERMAIL_CHROMIUM`,
    )
  return CHROMIUM
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireChromium(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

/**
 * The Electron variant runs only where the `electron` package has its binary (it cannot be downloaded
 * here). Looked up without `require('electron')`, which would try to download it.
 */
export function electronBinary(): string | undefined {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))
    const pathFile = join(dir, 'path.txt')
    if (!existsSync(pathFile)) return undefined
    const relative = readFileSync(pathFile, 'utf8').trim()
    const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, 'dist'), relative)
    return existsSync(binary) ? binary : undefined
  } catch {
    return undefined
  }
}

export interface ServedAccount {
  name: string
  address: string
  home: string
  url: string
  port: number
  token: string
  cli: RunningCli
  /** The local SMTP submission port, when served with `--smtp-port`. */
  smtpPort?: number
}

export interface UiWorld {
  net: LocalNetwork
  dir: string
  browser: Browser
  /**
   * Creates an account (optionally filling its mailbox first) and starts `peermail serve` on it, with
   * local SMTP submission on a free port when `smtp` is set.
   */
  serve(
    name: string,
    fill?: (account: Account) => Promise<void>,
    options?: { smtp?: boolean },
  ): Promise<ServedAccount>
  /** A fresh browser context on the account's inbox, with an eye on every request the page makes. */
  open(account: ServedAccount, options?: { dark?: boolean }): Promise<OpenedPage>
  close(): Promise<void>
}

export interface OpenedPage {
  page: Page
  context: BrowserContext
  /** Every request that left for anywhere but the account's own server. */
  foreignRequests: string[]
  /** Errors thrown in the page and CSP violations it reported. */
  pageErrors: string[]
}

/** The passphrase the harness gives each account it creates. */
export const passphraseOf = (name: string) => `pass-${name}-ui`

export async function startUiWorld(): Promise<UiWorld> {
  const browser = await launchChromium()
  const net = await createLocalNetwork()
  const dir = await mkdtemp(join(tmpdir(), 'peermail-ui-'))
  const bootstrap = net.bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
  const served: ServedAccount[] = []
  const contexts: BrowserContext[] = []
  return {
    net,
    dir,
    browser,
    async serve(name, fill, options = {}) {
      const home = join(dir, name)
      await mkdir(home, { recursive: true })
      const account = await openAccount({
        home,
        passphrase: passphraseOf(name),
        bootstrap: net.bootstrap,
        vaultParams: FAST_VAULT,
        stampDifficulty: UI_STAMP_DIFFICULTY,
        backoffs: FAST_BACKOFFS,
      })
      const address = account.address
      try {
        if (fill) await fill(account)
      } finally {
        await account.close()
      }
      const smtp = options.smtp ? ['--smtp-port', '0'] : []
      const cli = startPeermail(['--home', home, '--bootstrap', bootstrap, 'serve', ...smtp], {
        env: {
          PEERMAIL_PASSPHRASE: passphraseOf(name),
          PEERMAIL_TEST_STAMP_DIFFICULTY: String(UI_STAMP_DIFFICULTY),
        },
      })
      const entry = { cli } as ServedAccount
      served.push(entry)
      await cli.waitFor('stdout', /\n/, NETWORK_WAIT)
      const match = /^http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+)$/m.exec(cli.stdout)
      if (!match) throw new Error(`no URL from peermail serve:\n${cli.stdout}\n${cli.stderr}`)
      if (options.smtp) {
        await cli.waitFor('stderr', /SMTP submission on 127\.0\.0\.1:\d+/, NETWORK_WAIT)
        entry.smtpPort = Number(/SMTP submission on 127\.0\.0\.1:(\d+)/.exec(cli.stderr)?.[1])
      }
      Object.assign(entry, {
        name,
        address,
        home,
        url: match[0],
        port: Number(match[1]),
        token: match[2],
      })
      return entry
    },
    async open(account, options = {}) {
      const context = await browser.newContext({
        viewport: { width: 1440, height: 900 },
        deviceScaleFactor: 1,
        colorScheme: options.dark ? 'dark' : 'light',
        acceptDownloads: true,
        locale: 'en-GB',
        timezoneId: 'UTC',
      })
      contexts.push(context)
      const page = await context.newPage()
      const origin = `http://127.0.0.1:${account.port}`
      const foreignRequests: string[] = []
      const pageErrors: string[] = []
      page.on('request', (req) => {
        const url = req.url()
        if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:srcdoc') return
        if (!url.startsWith(`${origin}/`) && !url.startsWith(`ws://127.0.0.1:${account.port}/`))
          foreignRequests.push(url)
      })
      page.on('pageerror', (err) => pageErrors.push(err.message))
      page.on('console', (msg) => {
        if (msg.type() === 'error') pageErrors.push(msg.text())
      })
      await page.goto(account.url)
      await page.getByRole('status').filter({ hasText: 'Online' }).waitFor({ timeout: 30_000 })
      return { page, context, foreignRequests, pageErrors }
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {})
      await browser.close().catch(() => {})
      for (const s of served) await s.cli.stop()
      await net.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Opens the folder in the sidebar. */
export async function openFolder(page: Page, folder: string): Promise<void> {
  await page.locator(`nav button[data-folder="${folder}"]`).click()
  await page.locator(`nav button[data-folder="${folder}"][aria-current="page"]`).waitFor()
}

/** The list row of the message with this subject. */
export function row(page: Page, subject: string) {
  return page.getByRole('option').filter({ hasText: subject })
}

/** Sends a message through the compose window. */
export async function composeAndSend(
  page: Page,
  fields: { to: string; subject: string; text: string; files?: { name: string; body: Buffer }[] },
): Promise<void> {
  await page.getByRole('button', { name: 'New message' }).click()
  const dialog = page.getByRole('dialog', { name: 'New message' })
  await dialog.getByLabel('To').fill(fields.to)
  await dialog.getByLabel('Subject').fill(fields.subject)
  await dialog.getByLabel('Message').fill(fields.text)
  if (fields.files)
    await dialog.getByTestId('attach-input').setInputFiles(
      fields.files.map((f) => ({
        name: f.name,
        mimeType: 'application/octet-stream',
        buffer: f.body,
      })),
    )
  await dialog.getByRole('button', { name: 'Send' }).click()
  await dialog.waitFor({ state: 'detached' })
}
