import { BridgeError } from './errors.js'

/** Longest alias accepted (RFC 5321's path limit less the angle brackets). */
export const MAX_ALIAS_LENGTH = 254

// Deliberately narrower than RFC 5321: an alias is a name we hand out, so it need not admit quoted
// strings, comments or odd punctuation that address parsers have mishandled (stack-notes.md).
const LOCAL = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$/
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** A mail domain, lower-cased; throws INVALID_OPTIONS when it is not a plain DNS name. */
export function normaliseDomain(text: string): string {
  const domain = text.trim().toLowerCase()
  const labels = domain.split('.')
  if (domain.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)))
    throw BridgeError.INVALID_OPTIONS(`domain ${JSON.stringify(text.slice(0, 80))}`)
  if (domain === 'peermail.invalid') throw BridgeError.INVALID_OPTIONS('domain peermail.invalid')
  return domain
}

/**
 * An alias (`name@domain`) in canonical form: lower-cased, checked. Throws INVALID_ALIAS. When `domain` is
 * given the alias must be in it.
 */
export function normaliseAlias(text: string, domain?: string): string {
  if (typeof text !== 'string') throw BridgeError.INVALID_ALIAS(String(text), 'not text')
  const alias = text.trim().toLowerCase()
  if (alias.length > MAX_ALIAS_LENGTH) throw BridgeError.INVALID_ALIAS(text, 'too long')
  const at = alias.lastIndexOf('@')
  if (at <= 0) throw BridgeError.INVALID_ALIAS(text, 'expected name@domain')
  const local = alias.slice(0, at)
  if (!LOCAL.test(local) || local.includes('..'))
    throw BridgeError.INVALID_ALIAS(text, 'the name may hold a-z, 0-9 and . _ + -')
  let host: string
  try {
    host = normaliseDomain(alias.slice(at + 1))
  } catch {
    throw BridgeError.INVALID_ALIAS(text, 'the domain is not a DNS name')
  }
  if (domain !== undefined && host !== domain)
    throw BridgeError.INVALID_ALIAS(text, `this bridge serves ${domain}`)
  return `${local}@${host}`
}

/** The canonical alias, or undefined when `text` is not one (for SMTP envelopes, never throws). */
export function aliasOrUndefined(text: string): string | undefined {
  try {
    return normaliseAlias(text)
  } catch {
    return undefined
  }
}
