/** What every API call handler is, and the few helpers the handler modules share. */
import { peerIdentityOf, type Account } from '../../client/index.js'
import type { ApiCallName, ApiCalls } from '../ipc/api.js'
import type { AttemptLimit } from '../../shared/attempt-limit.js'
import { AppError } from './errors.js'

/** Recovery-phrase attempts: a few a minute is plenty for a person who mistyped. */
export const PHRASE_ATTEMPTS = { max: 3, windowMs: 60_000 }

/** State one API instance keeps between calls. */
export interface ApiContext {
  phraseAttempts: AttemptLimit
  /** Where local SMTP submission listens, when the process serving this API runs it. */
  submission?: { host: string; port: number }
}

/** One call's handler: validates `body` (untrusted) and answers the call's value, or throws coded. */
export type Handler<N extends ApiCallName> = (
  account: Account,
  body: unknown,
  context: ApiContext,
) => Promise<ApiCalls[N]['response']>

/** The bare `pm1…` form contacts and relays are stored under. */
export function peerAddressOf(address: string): string {
  const key = peerIdentityOf(address)
  if (!key) throw AppError.INVALID_INPUT('not a Peermail address')
  return address.trim().toLowerCase().replace(/@.*$/, '')
}
