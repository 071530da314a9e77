/**
 * The Electron shell: the main process opens the account (keys stay here), serves the built UI under its
 * own scheme with the same strict CSP as `peermail serve`, and answers the renderer's calls over IPC with
 * the same local API (src/app/main/api.ts). Thin on purpose: every decision about mail lives in the API.
 *
 * Hardening (design.md, "The app"): contextIsolation, sandbox, no nodeIntegration, no webviews, every
 * permission but notifications refused, navigation and new windows denied (http/https/mailto links go
 * to the system browser), and every IPC message checked for its sender frame before anything else.
 *
 * Start: `PEERMAIL_PASSPHRASE=… electron dist/app/electron/main.js` (PEERMAIL_HOME and PEERMAIL_BOOTSTRAP
 * as for the CLI).
 */
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  app,
  BrowserWindow,
  ipcMain,
  protocol,
  session,
  shell,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron'
import {
  openAccount,
  parseBootstrap,
  readSettings,
  startLocalSubmission,
  type Account,
} from '../../client/index.js'
import { fail } from '../../shared/result.js'
import { ApiErrorCode, isApiCallName, type ApiEvent } from '../ipc/api.js'
import { createLocalApi, defaultUiDir, forwardAccountEvents, uiCsp } from '../main/index.js'
import { APP_ORIGIN, APP_SCHEME, CALL_CHANNEL, EVENT_CHANNEL } from './channels.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

// Before `ready`: the UI's scheme behaves like https (secure context, own origin), not like file://.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true } },
])

/** Only our UI, loaded from our scheme, in our one window, may talk to the main process. */
function trustedSender(event: IpcMainInvokeEvent, window: BrowserWindow): boolean {
  const frame = event.senderFrame
  return (
    !window.isDestroyed() &&
    event.sender === window.webContents &&
    frame !== null &&
    frame === window.webContents.mainFrame &&
    new URL(frame.url).origin === APP_ORIGIN
  )
}

function harden(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    event.preventDefault()
  })
  contents.on('will-redirect', (event) => {
    event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
  })
  contents.setWindowOpenHandler(({ url }) => {
    // The UI asked the user first (it shows the real target); only these schemes ever leave.
    if (/^(https?|mailto):/i.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
}

async function main(): Promise<void> {
  const passphrase = process.env.PEERMAIL_PASSPHRASE
  if (!passphrase) throw new Error('set PEERMAIL_PASSPHRASE to open the account')
  const uiDir = defaultUiDir()
  if (!uiDir) throw new Error('the UI is not built: run npm run build')
  const bootstrap = process.env.PEERMAIL_BOOTSTRAP
  const home = process.env.PEERMAIL_HOME ?? join(homedir(), '.peermail')
  // The relays the user chose (Settings or `peermail relays`), as the CLI applies them.
  const { relays } = await readSettings(home)
  const account: Account = await openAccount({
    home,
    passphrase,
    ...(bootstrap ? { bootstrap: bootstrap.split(',').map(parseBootstrap) } : {}),
    ...(relays.length > 0 ? { relays } : {}),
  })
  // `peermail start --smtp-port`: mail apps on this computer send through local submission.
  const smtpPort = process.env.PEERMAIL_SMTP_PORT
  const port = smtpPort === undefined ? undefined : Number(smtpPort)
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new Error('PEERMAIL_SMTP_PORT must be a port number (0..65535)')
  const submission = port === undefined ? undefined : await startLocalSubmission(account, { port })
  const api = createLocalApi(
    account,
    (err) => {
      process.stderr.write(`peermail: unexpected error in an API call: ${String(err)}\n`)
    },
    submission ? { submission: { host: submission.host, port: submission.port } } : {},
  )

  await app.whenReady()
  const ses = session.defaultSession
  // Every permission is refused but notifications, which the user turns on in Settings.
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(permission === 'notifications')
  })
  ses.setPermissionCheckHandler((_contents, permission) => permission === 'notifications')
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    const path = normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname))
    const file = join(uiDir, path)
    if (url.host !== 'ui' || !file.startsWith(uiDir.endsWith(sep) ? uiDir : uiDir + sep))
      return new Response('Not found', { status: 404 })
    const type = TYPES[extname(file)]
    if (type === undefined) return new Response('Not found', { status: 404 })
    try {
      return new Response(await readFile(file), {
        headers: {
          'Content-Type': type,
          'Content-Security-Policy': uiCsp(),
          'X-Content-Type-Options': 'nosniff',
        },
      })
    } catch {
      return new Response('Not found', { status: 404 })
    }
  })
  app.on('web-contents-created', (_event, contents) => {
    harden(contents)
  })

  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Peermail',
    show: true,
    webPreferences: {
      preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  })
  ipcMain.handle(CALL_CHANNEL, async (event, name: unknown, body: unknown) => {
    if (!trustedSender(event, window)) return fail(ApiErrorCode.UNAUTHORIZED, 'Untrusted sender')
    if (typeof name !== 'string' || !isApiCallName(name))
      return fail(ApiErrorCode.UNKNOWN_CALL, 'No such call')
    return api.call(name, body)
  })
  const unsubscribe = forwardAccountEvents(account, (event: ApiEvent) => {
    if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event)
  })

  await window.loadURL(`${APP_ORIGIN}/index.html`)

  app.on('window-all-closed', () => {
    unsubscribe()
    void (submission?.close() ?? Promise.resolve())
      .then(() => account.close())
      .finally(() => {
        app.quit()
      })
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`peermail: ${err instanceof Error ? err.message : String(err)}\n`)
  app.exit(1)
})
