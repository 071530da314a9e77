import { createTransport, type Transporter } from 'nodemailer'
import { BridgeError } from './errors.js'
import { sendOnce, type AttemptResult } from './smtp-attempt.js'

export type { AttemptResult }

/** Sends a message onward: to one smarthost (here) or to each recipient domain's MX (direct-relay.ts). */
export interface Relay {
  send(raw: Buffer, from: string, recipients: string[]): Promise<AttemptResult>
  close(): void
}

/** Checks a smarthost URL (`smtp://host:port` or `smtps://user:pass@host:port`) and opens a transport. */
export function smarthostRelay(url: string, heloName: string, timeoutMs = 60_000): Relay {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw BridgeError.INVALID_OPTIONS('smarthost must be a URL like smtp://host:port')
  }
  if ((parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') || parsed.hostname === '')
    throw BridgeError.INVALID_OPTIONS('smarthost must be a URL like smtp://host:port')
  const secure = parsed.protocol === 'smtps:'
  const transport: Transporter = createTransport({
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    name: heloName,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(parsed.username
      ? {
          auth: {
            user: decodeURIComponent(parsed.username),
            pass: decodeURIComponent(parsed.password),
          },
        }
      : {}),
  })
  return {
    send: (raw, from, recipients) => sendOnce(transport, raw, from, recipients),
    close: () => {
      transport.close()
    },
  }
}
