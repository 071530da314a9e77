/**
 * The renderer's only way to the backend: the typed calls of the local API contract and its event push.
 * Two transports, one interface: the HTTP API of `peermail serve` (token from the URL fragment) and, in
 * Electron, the preload's allowlisted bridge (`window.peermail`). Calls never throw: they answer a Result.
 */
import {
  EVENTS_PATH,
  EVENTS_PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
  type ApiCallName,
  type ApiCalls,
  type ApiEvent,
  type ApiResponse,
} from '../../ipc/api.js'

export type ConnectionState = 'connecting' | 'online' | 'offline'

export interface Backend {
  call<N extends ApiCallName>(name: N, body: ApiCalls[N]['request']): Promise<ApiResponse<N>>
  /** Hears every pushed event and every change of the connection; returns the unsubscribe. */
  subscribe(
    onEvent: (event: ApiEvent) => void,
    onState: (state: ConnectionState) => void,
  ): () => void
}

/** What the Electron preload exposes (src/app/preload): the same calls, the same events. */
export interface PeermailBridge {
  call(name: string, body: unknown): Promise<unknown>
  onEvent(listener: (event: unknown) => void): () => void
}

declare global {
  interface Window {
    peermail?: PeermailBridge
  }
}

const TOKEN_KEY = 'peermail.token'

/** The per-run token: from `#token=…` on first load (then dropped from the address bar), else this tab's. */
export function takeToken(): string {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token')
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash)
    history.replaceState(null, '', location.pathname + location.search)
    return fromHash
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

function failure(code: string, message: string) {
  return { ok: false as const, error: { code, message } }
}

/** The HTTP + WebSocket backend of `peermail serve`. */
export function httpBackend(token: string): Backend {
  return {
    async call(name, body) {
      try {
        const res = await fetch(`/api/${name}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
          credentials: 'omit',
          cache: 'no-store',
        })
        return (await res.json()) as ApiResponse<typeof name>
      } catch {
        return failure('UI_OFFLINE', 'The Peermail node is not answering')
      }
    },
    subscribe(onEvent, onState) {
      let socket: WebSocket | undefined
      let stopped = false
      let retry: number | undefined
      let delay = 500
      const connect = () => {
        onState('connecting')
        const url = `ws://${location.host}${EVENTS_PATH}`
        socket = new WebSocket(url, [EVENTS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`])
        socket.onopen = () => {
          delay = 500
          onState('online')
        }
        socket.onmessage = (message) => {
          if (typeof message.data !== 'string') return
          try {
            onEvent(JSON.parse(message.data) as ApiEvent)
          } catch {
            // A frame we cannot read is dropped; the next refresh catches up.
          }
        }
        socket.onclose = () => {
          if (stopped) return
          onState('offline')
          retry = window.setTimeout(connect, delay)
          delay = Math.min(delay * 2, 10_000)
        }
      }
      connect()
      return () => {
        stopped = true
        window.clearTimeout(retry)
        socket?.close()
      }
    },
  }
}

/** Electron's bridge: the preload checks and forwards; nothing privileged reaches this side. */
export function bridgeBackend(bridge: PeermailBridge): Backend {
  return {
    async call(name, body) {
      try {
        return (await bridge.call(name, body)) as ApiResponse<typeof name>
      } catch {
        return failure('UI_OFFLINE', 'The Peermail node is not answering')
      }
    },
    subscribe(onEvent, onState) {
      onState('online')
      return bridge.onEvent((event) => {
        onEvent(event as ApiEvent)
      })
    },
  }
}

export function createBackend(): Backend {
  return window.peermail ? bridgeBackend(window.peermail) : httpBackend(takeToken())
}
