import type { Transporter } from 'nodemailer'

/** What one delivery attempt came to, per recipient. */
export interface AttemptResult {
  accepted: string[]
  /** Refused for good (5xx), with the server's reply. */
  permanent: { recipient: string; reason: string }[]
  /** Not delivered this time (4xx, connection trouble): try again later. */
  temporary: { recipient: string; reason: string }[]
}

interface SmtpFailure {
  code?: string
  /** Node's code for the underlying failure; `ERR_SSL_…` for a TLS handshake that failed. */
  originalCode?: string
  responseCode?: number
  response?: string
  message: string
  recipient?: string
  rejectedErrors?: SmtpFailure[]
}

/** An empty result, to be filled in. */
export function emptyAttempt(): AttemptResult {
  return { accepted: [], permanent: [], temporary: [] }
}

/**
 * Sends `raw` once over `transport` and sorts every recipient into accepted, permanent (5xx) or temporary
 * (4xx, no connection): nodemailer reports per-recipient refusals in more than one shape.
 */
export async function sendOnce(
  transport: Transporter,
  raw: Buffer,
  from: string,
  recipients: string[],
): Promise<AttemptResult> {
  return (await sendOnceExplained(transport, raw, from, recipients)).result
}

/** `sendOnce`, and whether the whole transaction failed in TLS (a STARTTLS handshake, say). */
export async function sendOnceExplained(
  transport: Transporter,
  raw: Buffer,
  from: string,
  recipients: string[],
): Promise<{ result: AttemptResult; tlsFailed: boolean }> {
  try {
    const info = (await transport.sendMail({ envelope: { from, to: recipients }, raw })) as {
      accepted: unknown[]
      rejectedErrors?: SmtpFailure[]
    }
    const result: AttemptResult = { ...emptyAttempt(), accepted: info.accepted.map(String) }
    for (const err of info.rejectedErrors ?? []) classify(result, err, [err.recipient ?? ''])
    return { result, tlsFailed: false }
  } catch (err) {
    const failure = err as SmtpFailure
    const result = emptyAttempt()
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
    // nodemailer reports a failed handshake after STARTTLS as ESOCKET, with OpenSSL's code beneath.
    const tlsFailed = failure.code === 'ETLS' || /^ERR_SSL_/.test(failure.originalCode ?? '')
    return { result, tlsFailed }
  }
}

// A 5xx reply is the remote server's final word; anything else (4xx, no connection) is worth a retry.
function classify(result: AttemptResult, err: SmtpFailure, recipients: string[]): void {
  const code = err.responseCode ?? 0
  const reason = oneLine(err.response ?? err.message)
  const bucket = code >= 500 && code < 600 ? result.permanent : result.temporary
  for (const recipient of recipients) if (recipient) bucket.push({ recipient, reason })
}

/** A remote reply or error message as one bounded line, fit for a bounce or a log. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 500)
}
