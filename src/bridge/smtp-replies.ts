import { isPeermailError } from '../shared/errors.js'
import { BridgeErrorCode } from './errors.js'

/** An error as smtp-server sends it: `responseCode` becomes the reply, the message its text. */
export type SmtpReplyError = Error & { responseCode: number }

// Code → reply, the one place SMTP numbers are chosen (style.md: protocol codes only at the edge).
const REPLIES: Partial<Record<string, [number, string]>> = {
  [BridgeErrorCode.UNKNOWN_RECIPIENT]: [550, '5.1.1'],
  [BridgeErrorCode.RELAY_DENIED]: [550, '5.7.1'],
  [BridgeErrorCode.TOO_MANY_RECIPIENTS]: [452, '4.5.3'],
  [BridgeErrorCode.MESSAGE_TOO_LARGE]: [552, '5.3.4'],
  [BridgeErrorCode.BARE_LINE_ENDING]: [550, '5.6.0'],
  [BridgeErrorCode.TOO_MANY_CONNECTIONS]: [421, '4.7.0'],
  [BridgeErrorCode.RATE_LIMITED]: [452, '4.7.1'],
  [BridgeErrorCode.NOT_READY]: [451, '4.3.0'],
  [BridgeErrorCode.CLOSED]: [421, '4.3.2'],
}

/**
 * The SMTP reply for an error: a coded bridge error maps to its reply; anything else is our own failure
 * and is answered 451 (try again later), so mail is never lost to a bug or a full disk.
 */
export function smtpReplyFor(err: unknown): SmtpReplyError {
  const [code, enhanced] = (isPeermailError(err) ? REPLIES[err.code] : undefined) ?? [451, '4.3.0']
  const text =
    isPeermailError(err) && REPLIES[err.code] ? err.message : 'Local error, try again later'
  return smtpReply(code, enhanced, text)
}

/** The reply `code` (with its enhanced status code, RFC 3463) and `text`, as smtp-server sends it. */
export function smtpReply(code: number, enhanced: string, text: string): SmtpReplyError {
  return Object.assign(new Error(`${enhanced} ${text}`), { responseCode: code })
}
