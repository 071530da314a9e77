import type { ServerResponse } from 'node:http'
import type { ApiEvent } from '../ipc/api.js'

/** A comment line every so often keeps proxies and idle timers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000

/**
 * Server-Sent Events rather than a WebSocket: the push is one-way (calls go over POST), SSE is plain HTTP
 * that Node serves without a dependency or a hand-written RFC 6455 framer, and browsers reconnect on their
 * own. Each event is one `data:` line of JSON (JSON escapes newlines, so it cannot break the framing).
 */
export class EventStreams {
  private readonly clients = new Set<ServerResponse>()
  private readonly keepalive: NodeJS.Timeout

  constructor() {
    this.keepalive = setInterval(() => {
      for (const res of this.clients) res.write(': keepalive\n\n')
    }, KEEPALIVE_MS)
    this.keepalive.unref()
  }

  /** Takes over `res` as an event stream until the client leaves or {@link close}. */
  add(res: ServerResponse, headers: Record<string, string>): void {
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
    })
    res.write(': connected\n\n')
    this.clients.add(res)
    res.on('close', () => this.clients.delete(res))
  }

  publish(event: ApiEvent): void {
    const frame = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
    for (const res of this.clients) res.write(frame)
  }

  close(): void {
    clearInterval(this.keepalive)
    for (const res of this.clients) res.end()
    this.clients.clear()
  }
}
