/**
 * `peermail serve`'s HTTP side: the local API (`POST /api/<call>`), its event stream (`GET /api/events`)
 * and, until the inbox UI lands, a placeholder page. It listens on 127.0.0.1 only and every API request
 * must carry a random per-run token, so other local users' processes and web pages cannot use it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Account, DeliveryEvent, MessageSummary } from '../../client/index.js'
import { isPeermailError } from '../../shared/errors.js'
import { fail, type Result } from '../../shared/result.js'
import { ApiErrorCode, isApiCallName } from '../ipc/api.js'
import { createLocalApi } from './api.js'
import { readJsonBody } from './body.js'
import { AppError } from './errors.js'
import { EventStreams } from './events.js'
import { httpStatusOf } from './http-status.js'
import { PLACEHOLDER_CSP, PLACEHOLDER_HTML, PLACEHOLDER_JS } from './placeholder.js'
import { toSummary } from './wire.js'

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
  const api = createLocalApi(account, options.onUnexpected)
  const events = new EventStreams()
  let boundPort = 0

  const authorised = (presented: string | undefined): boolean =>
    presented !== undefined && timingSafeEqual(digest(presented), tokenDigest)

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    const hostHeader = req.headers.host ?? ''
    if (hostHeader !== `127.0.0.1:${boundPort}` && hostHeader !== `localhost:${boundPort}`) {
      sendResult(res, 403, fail(ApiErrorCode.BAD_REQUEST, 'Wrong Host header'))
      return
    }
    const url = new URL(req.url ?? '/', `http://${hostHeader}`)
    if (req.method === 'GET' && url.pathname === '/') {
      sendText(res, 'text/html', PLACEHOLDER_HTML, PLACEHOLDER_CSP)
      return
    }
    if (req.method === 'GET' && url.pathname === '/placeholder.js') {
      sendText(res, 'text/javascript', PLACEHOLDER_JS)
      return
    }
    if (req.method === 'GET' && url.pathname === '/api/events') {
      // EventSource cannot set headers, so the stream takes the token as a query parameter.
      if (!authorised(url.searchParams.get('token') ?? undefined)) throw AppError.UNAUTHORIZED()
      events.add(res, COMMON_HEADERS)
      return
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

  const onMail = (summary: MessageSummary) => {
    events.publish({ type: 'mail', summary: toSummary(summary) })
  }
  const onDelivery = (update: DeliveryEvent) => {
    events.publish({
      type: 'delivery',
      update: { id: update.id, recipient: update.recipient, state: update.state },
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  boundPort = (server.address() as AddressInfo).port
  account.on('mail', onMail)
  account.on('delivery', onDelivery)

  let closing: Promise<void> | null = null
  return {
    url: `http://127.0.0.1:${boundPort}/#token=${token}`,
    port: boundPort,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        account.off('mail', onMail)
        account.off('delivery', onDelivery)
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

function sendText(res: ServerResponse, type: string, body: string, csp?: string): void {
  res.writeHead(200, {
    ...COMMON_HEADERS,
    ...(csp === undefined ? {} : { 'Content-Security-Policy': csp }),
    'Content-Type': `${type}; charset=utf-8`,
    'Content-Length': Buffer.byteLength(body),
  })
  res.end(body)
}
