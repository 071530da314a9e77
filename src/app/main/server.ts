/**
 * `peermail serve`'s HTTP side: the local API (`POST /api/<call>`), its event push (a WebSocket at
 * `/api/ws`) and the built inbox UI. It listens on 127.0.0.1 only and every API request
 * must carry a random per-run token, so other local users' processes and web pages cannot use it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Account } from '../../client/index.js'
import { isPeermailError } from '../../shared/errors.js'
import { fail, type Result } from '../../shared/result.js'
import { ApiErrorCode, EVENTS_PATH, isApiCallName } from '../ipc/api.js'
import { forwardAccountEvents } from './account-events.js'
import { createLocalApi } from './api.js'
import { readJsonBody } from './body.js'
import { AppError } from './errors.js'
import { EventSockets } from './events.js'
import { httpStatusOf } from './http-status.js'
import { defaultUiDir, loadUi, MISSING_UI_HTML, uiCsp, type UiFile } from './ui.js'

/** A send carries its attachments as base64 (4/3 the size): 40 MB of JSON is ~30 MB of files. */
export const SEND_BODY_LIMIT = 40 * 1024 * 1024
/** Every other call is a few small fields. */
export const BODY_LIMIT = 64 * 1024

export interface LocalServerOptions {
  account: Account
  /** Only 127.0.0.1 or localhost (both bind 127.0.0.1); anything else is refused. */
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
  /** Hears about uncoded errors (bugs); callers only see API_INTERNAL. Default: nowhere. */
  onUnexpected?: (err: unknown) => void
  /** The built inbox UI (default: dist/ui, built by `npm run build`); absent, `/` says to build it. */
  uiDir?: string
  /** Where local SMTP submission listens, when the caller runs it (shown in Settings). */
  submission?: { host: string; port: number }
}

export interface LocalServer {
  /** The page URL, token in the fragment: `http://127.0.0.1:PORT/#token=…`. */
  readonly url: string
  readonly port: number
  readonly token: string
  /** Stops listening and ends every open stream. Idempotent. */
  close(): Promise<void>
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost'])
const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
}

/** Starts the local API server over an open account. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1'
  if (!LOCAL_HOSTS.has(host))
    throw AppError.INVALID_INPUT(`the server only listens on 127.0.0.1 or localhost, not ${host}`)
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw AppError.INVALID_INPUT('port must be an integer in 0..65535')
  const { account } = options
  const token = randomBytes(32).toString('base64url')
  const tokenDigest = digest(token)
  const api = createLocalApi(
    account,
    options.onUnexpected,
    options.submission ? { submission: options.submission } : {},
  )
  let boundPort = 0
  const uiDir = options.uiDir ?? defaultUiDir()
  const ui = uiDir === undefined ? new Map<string, UiFile>() : await loadUi(uiDir)

  const authorised = (presented: string | undefined): boolean =>
    presented !== undefined && timingSafeEqual(digest(presented), tokenDigest)
  const ownHost = (host: string | undefined): boolean =>
    host === `127.0.0.1:${boundPort}` || host === `localhost:${boundPort}`
  const events = new EventSockets({
    authorised,
    allowedOrigin: (origin) =>
      origin === `http://127.0.0.1:${boundPort}` || origin === `http://localhost:${boundPort}`,
  })

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    const hostHeader = req.headers.host ?? ''
    if (!ownHost(hostHeader)) {
      sendResult(res, 403, fail(ApiErrorCode.BAD_REQUEST, 'Wrong Host header'))
      return
    }
    const url = new URL(req.url ?? '/', `http://${hostHeader}`)
    if (req.method === 'GET' && !url.pathname.startsWith('/api/')) {
      const file = ui.get(url.pathname === '/' ? '/index.html' : url.pathname)
      if (file) {
        sendFile(res, file, file.type.startsWith('text/html') ? uiCsp(boundPort) : undefined)
        return
      }
      if (url.pathname === '/') {
        const body = { type: 'text/html; charset=utf-8', body: Buffer.from(MISSING_UI_HTML) }
        sendFile(res, body, "default-src 'none'; frame-ancestors 'none'")
        return
      }
    }
    if (!url.pathname.startsWith('/api/'))
      throw new AppError(ApiErrorCode.UNKNOWN_CALL, 'Not found')
    // The token is checked before anything else, the body included: strangers learn nothing.
    if (!authorised(bearer(req.headers.authorization))) throw AppError.UNAUTHORIZED()
    const name = url.pathname.slice('/api/'.length)
    if (!isApiCallName(name)) throw AppError.UNKNOWN_CALL(name)
    if (req.method !== 'POST') throw AppError.BAD_REQUEST('API calls are POST')
    const body = await readJsonBody(req, name === 'send' ? SEND_BODY_LIMIT : BODY_LIMIT)
    const result = await api.call(name, body)
    sendResult(res, result.ok ? 200 : httpStatusOf(result.error.code), result)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const result = isPeermailError(err)
        ? fail(err.code, err.message)
        : fail(ApiErrorCode.INTERNAL, 'Internal error')
      if (!isPeermailError(err)) options.onUnexpected?.(err)
      if (res.headersSent) res.destroy()
      else sendResult(res, httpStatusOf(result.ok ? '' : result.error.code), result)
    })
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {
      socket.destroy()
    })
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (!ownHost(req.headers.host) || path !== EVENTS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    events.upgrade(req, socket, head)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  boundPort = (server.address() as AddressInfo).port
  const unsubscribe = forwardAccountEvents(account, (event) => {
    events.publish(event)
  })

  let closing: Promise<void> | null = null
  return {
    url: `http://127.0.0.1:${boundPort}/#token=${token}`,
    port: boundPort,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        unsubscribe()
        events.close()
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      })
      return closing
    },
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer (\S+)$/.exec(header ?? '')
  return match?.[1]
}

function sendResult(res: ServerResponse, status: number, result: Result<unknown>): void {
  const body = JSON.stringify(result)
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    // A refused body may still be arriving: drop the connection rather than read the rest.
    ...(status === 413 ? { Connection: 'close' } : {}),
  })
  res.end(body)
}

function sendFile(res: ServerResponse, file: UiFile, csp?: string): void {
  res.writeHead(200, {
    ...COMMON_HEADERS,
    ...(csp === undefined ? {} : { 'Content-Security-Policy': csp }),
    'Content-Type': file.type,
    'Content-Length': file.body.byteLength,
  })
  res.end(file.body)
}
