import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { EVENTS_PROTOCOL, TOKEN_PROTOCOL_PREFIX, type ApiEvent } from '../ipc/api.js'

/** A ping every so often finds dead sockets (a closed laptop lid) and keeps idle timers quiet. */
const PING_MS = 15_000
/** Events are small JSON objects; a client has nothing to send but pongs. */
const MAX_PAYLOAD = 4 * 1024

export interface EventSocketsOptions {
  /** True when the token presented is the server's. */
  authorised: (token: string | undefined) => boolean
  /** True when `origin` is the page this server serves (a foreign page may not listen in). */
  allowedOrigin: (origin: string | undefined) => boolean
}

/**
 * The event push over a WebSocket (the HTTP + WebSocket API). Calls stay on POST; the socket is
 * one-way, server to page. A browser cannot set headers on a WebSocket, so the token travels as a second
 * subprotocol (`token.<token>`, never in a URL that could end up in a log); the Origin header is checked
 * too, since WebSockets are not bound by the same-origin policy.
 */
export class EventSockets {
  private readonly wss: WebSocketServer
  private readonly ping: NodeJS.Timeout
  private readonly alive = new WeakSet<WebSocket>()

  constructor(private readonly options: EventSocketsOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_PAYLOAD,
      clientTracking: true,
      handleProtocols: (protocols) => (protocols.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
    })
    this.ping = setInterval(() => {
      for (const socket of this.wss.clients) {
        if (!this.alive.has(socket)) {
          socket.terminate()
          continue
        }
        this.alive.delete(socket)
        socket.ping()
      }
    }, PING_MS)
    this.ping.unref()
  }

  /** Handles an HTTP upgrade on the events path: refused with 401/403 unless token and origin check. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())
    const token = offered
      .find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))
      ?.slice(TOKEN_PROTOCOL_PREFIX.length)
    if (!this.options.allowedOrigin(req.headers.origin)) {
      refuse(socket, 403, 'Forbidden')
      return
    }
    if (!this.options.authorised(token) || !offered.includes(EVENTS_PROTOCOL)) {
      refuse(socket, 401, 'Unauthorized')
      return
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.alive.add(ws)
      ws.on('pong', () => this.alive.add(ws))
      // Anything the page sends is ignored: the socket only pushes.
      ws.on('message', () => {})
      ws.on('error', () => {
        ws.terminate()
      })
      ws.send(JSON.stringify({ type: 'hello' }))
    })
  }

  publish(event: ApiEvent): void {
    const frame = JSON.stringify(event)
    for (const socket of this.wss.clients) if (socket.readyState === socket.OPEN) socket.send(frame)
  }

  close(): void {
    clearInterval(this.ping)
    for (const socket of this.wss.clients) socket.terminate()
    this.wss.close()
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}
