import { createTransport, type Transporter } from 'nodemailer'
import { BridgeError } from './errors.js'

/** What one delivery attempt came to, per recipient. */
export interface AttemptResult {
  accepted: string[]
  /** Refused for good (5xx), with the server's reply. */
  permanent: { recipient: string; reason: string }[]
  /** Not delivered this time (4xx, connection trouble): try again later. */
  temporary: { recipient: string; reason: string }[]
}

/** Sends a message onward: nodemailer to one smarthost (direct MX delivery is not built yet). */
export interface Relay {
  send(raw: Buffer, from: string, recipients: string[]): Promise<AttemptResult>
  close(): void
}

interface SmtpFailure {
  responseCode?: number
  response?: string
  message: string
  recipient?: string
  rejectedErrors?: SmtpFailure[]
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
    send: async (raw, from, recipients) => {
      try {
        const info = (await transport.sendMail({
          envelope: { from, to: recipients },
          raw,
        })) as { accepted: unknown[]; rejectedErrors?: SmtpFailure[] }
        const result: AttemptResult = {
          accepted: info.accepted.map(String),
          permanent: [],
          temporary: [],
        }
        for (const err of info.rejectedErrors ?? []) classify(result, err, [err.recipient ?? ''])
        return result
      } catch (err) {
        const failure = err as SmtpFailure
        const result: AttemptResult = { accepted: [], permanent: [], temporary: [] }
        // Every recipient refused at RCPT: nodemailer throws, with each refusal listed.
        if (failure.rejectedErrors?.length) {
          for (const e of failure.rejectedErrors) classify(result, e, [e.recipient ?? ''])
          const listed = new Set(failure.rejectedErrors.map((e) => e.recipient))
          classify(
            result,
            failure,
            recipients.filter((r) => !listed.has(r)),
          )
        } else {
          classify(result, failure, recipients)
        }
        return result
      }
    },
    close: () => {
      transport.close()
    },
  }
}

// A 5xx reply is the remote server's final word; anything else (4xx, no connection) is worth a retry.
function classify(result: AttemptResult, err: SmtpFailure, recipients: string[]): void {
  const code = err.responseCode ?? 0
  const reason = (err.response ?? err.message).replace(/[\r\n]+/g, ' ').slice(0, 500)
  const bucket = code >= 500 && code < 600 ? result.permanent : result.temporary
  for (const recipient of recipients) if (recipient) bucket.push({ recipient, reason })
}
