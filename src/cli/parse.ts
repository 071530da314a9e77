import { decodeAddress, PEER_MAIL_DOMAIN, requirePeerIdentity } from '../client/index.js'
import { CliUsageError } from './usage-error.js'

/** A whole-number option (`--limit 20`); anything else is a usage error. */
export function toInt(value: string, name: string, min = Number.MIN_SAFE_INTEGER): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n) || n < min)
    throw new CliUsageError(
      min > Number.MIN_SAFE_INTEGER
        ? `--${name} must be a whole number of at least ${min}`
        : `--${name} must be a whole number`,
    )
  return n
}

/** A duration in seconds (`--wait 15`, `--timeout 0.5`), at most a day so timers stay sane. */
export function toSeconds(value: string, name: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 86_400)
    throw new CliUsageError(`--${name} must be a number of seconds between 0 and 86400`)
  return n
}

/**
 * Splits recipient arguments on the commas between addresses (not those inside quotes or `<…>`), so
 * `--to a,b`, `--to a b` and `--to '"Doe, J" <pm1…>'` all mean what they say.
 */
export function splitAddresses(values: string[]): string[] {
  const out: string[] = []
  for (const value of values) {
    let current = ''
    let quoted = false
    let angle = false
    for (const ch of value) {
      if (ch === '"' && !angle) quoted = !quoted
      else if (ch === '<' && !quoted) angle = true
      else if (ch === '>' && !quoted) angle = false
      if (ch === ',' && !quoted && !angle) {
        out.push(current)
        current = ''
      } else current += ch
    }
    out.push(current)
  }
  return out.map((item) => item.trim()).filter((item) => item !== '')
}

/**
 * True for an ordinary email address (`name@example.org`, or `Name <name@example.org>`): not one of
 * ours, and shaped like an address (one @, a dotted domain, no spaces or brackets). The bridge and the
 * composer check it fully; this only keeps a typo from going online first.
 */
export function isOrdinaryAddress(text: string): boolean {
  const inner = (/<([^<>]*)>\s*$/.exec(text)?.[1] ?? text).trim()
  const match = /^[^\s@<>",;]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)$/i.exec(inner)
  return match !== null && match[1]?.toLowerCase() !== PEER_MAIL_DOMAIN
}

/**
 * The identity key and bare `pm1…` form of a recipient written as `pm1…`, `pm1…@peermail.invalid` or
 * `Name <…>`. Checked here, before going online, so a typo fails at once with the precise code
 * (ADDRESS_CHECKSUM, ADDRESS_FORMAT…) instead of a generic "not a Peermail address" after the network
 * start-up; an ordinary address gets NOT_A_PEER_ADDRESS (it needs the bridge).
 */
export function peerAddress(text: string): { address: string; key: Buffer } {
  const inner = (/<([^<>]*)>\s*$/.exec(text)?.[1] ?? text).trim()
  const at = inner.lastIndexOf('@')
  const local = at === -1 ? inner : inner.slice(0, at)
  const domain = at === -1 ? PEER_MAIL_DOMAIN : inner.slice(at + 1).toLowerCase()
  const key =
    domain === PEER_MAIL_DOMAIN && /^pm/i.test(local)
      ? decodeAddress(local)
      : requirePeerIdentity(inner)
  return { address: local.toLowerCase(), key }
}
