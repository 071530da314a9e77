import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'

/**
 * Answers DNS questions like `dns.promises.resolve(name, rrtype)`: MX rows are `{ exchange, priority }`,
 * A and AAAA rows are address strings. Errors carry Node's codes (ENOTFOUND for NXDOMAIN, ENODATA for
 * no records of that type, ESERVFAIL, ETIMEOUT…). mailauth's resolvers have this shape too.
 */
export type MxResolver = (name: string, rrtype: string) => Promise<unknown>

/** Where a domain's mail goes, or why it cannot go there (now, or ever). */
export type MailRoute =
  | { kind: 'hosts'; hosts: string[]; implicit: boolean }
  | { kind: 'permanent'; reason: string }
  | { kind: 'temporary'; reason: string }

/** A host's addresses, or why there are none. */
export type HostAddresses =
  | { kind: 'addresses'; addresses: string[] }
  | { kind: 'permanent'; reason: string }
  | { kind: 'temporary'; reason: string }

/** The system's resolver, the default outside tests. */
export const systemResolver: MxResolver = (name, rrtype) => dns.resolve(name, rrtype)

// Bounds on what one domain's DNS can make us try: a hostile zone could list hundreds of hosts.
const MAX_HOSTS = 10
const MAX_ADDRESSES_PER_HOST = 4
const HOSTNAME =
  /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** True for a name that can be looked up in the DNS (not an address literal, no odd characters). */
export function isHostName(name: string): boolean {
  return HOSTNAME.test(name)
}

/**
 * The hosts that take mail for `domain`, best first (RFC 5321 §5.1): MX records by preference, equal ones
 * shuffled; the domain itself when it has no MX (the "implicit MX"); none for a null MX (RFC 7505).
 */
export async function mailRouteFor(domain: string, resolver: MxResolver): Promise<MailRoute> {
  if (!isHostName(domain)) return { kind: 'permanent', reason: `${domain} is not a mail domain` }
  let answer: unknown
  try {
    answer = await resolver(domain, 'MX')
  } catch (err) {
    const code = dnsCode(err)
    if (code === 'ENODATA') return { kind: 'hosts', hosts: [domain], implicit: true }
    return lookupFailure(`MX ${domain}`, code)
  }
  const records = mxRecords(answer)
  if (!records) return { kind: 'temporary', reason: `malformed MX answer for ${domain}` }
  if (records.length === 0) return { kind: 'hosts', hosts: [domain], implicit: true }
  if (records.some((r) => r.exchange === '' || r.exchange === '.'))
    return { kind: 'permanent', reason: `${domain} accepts no mail (null MX, RFC 7505)` }
  const usable = records.filter((r) => isHostName(r.exchange) || isIP(r.exchange) !== 0)
  if (usable.length === 0)
    return { kind: 'temporary', reason: `no usable MX host name for ${domain}` }
  const ordered = usable
    .map((r) => ({ ...r, tiebreak: Math.random() }))
    .sort((a, b) => a.priority - b.priority || a.tiebreak - b.tiebreak)
  const hosts = [...new Set(ordered.map((r) => r.exchange.toLowerCase()))].slice(0, MAX_HOSTS)
  return { kind: 'hosts', hosts, implicit: false }
}

/**
 * The addresses of mail host `host`: IPv4 first (a bridge on a home line often has no IPv6 route out),
 * then IPv6. A name with neither is a permanent failure, a DNS server in trouble a temporary one.
 */
export async function addressesOf(host: string, resolver: MxResolver): Promise<HostAddresses> {
  if (isIP(host) !== 0) return { kind: 'addresses', addresses: [host] }
  const addresses: string[] = []
  let failure: HostAddresses | undefined
  for (const [rrtype, family] of [
    ['A', 4],
    ['AAAA', 6],
  ] as const) {
    try {
      const answer = await resolver(host, rrtype)
      if (!Array.isArray(answer)) throw Object.assign(new Error('malformed'), { code: 'EBADRESP' })
      for (const row of answer)
        if (typeof row === 'string' && isIP(row) === family) addresses.push(row)
    } catch (err) {
      const code = dnsCode(err)
      if (code === 'ENODATA') continue
      const why = lookupFailure(`${rrtype} ${host}`, code)
      // NXDOMAIN answers both questions; a temporary trouble outweighs it.
      if (!failure || why.kind === 'temporary') failure = why
    }
  }
  if (addresses.length > 0)
    return { kind: 'addresses', addresses: addresses.slice(0, MAX_ADDRESSES_PER_HOST) }
  return failure ?? { kind: 'permanent', reason: `${host} has no address` }
}

// NXDOMAIN is the zone's own final answer; anything else (SERVFAIL, timeout, refused) may pass.
function lookupFailure(
  question: string,
  code: string | undefined,
): { kind: 'permanent' | 'temporary'; reason: string } {
  if (code === 'ENOTFOUND') return { kind: 'permanent', reason: `${question}: no such domain` }
  return {
    kind: 'temporary',
    reason: `${question}: DNS lookup failed (${code ?? 'unknown error'})`,
  }
}

function dnsCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

// The resolver is outside input: rows that are not `{ exchange: string, priority: number }` void it.
function mxRecords(answer: unknown): { exchange: string; priority: number }[] | undefined {
  if (!Array.isArray(answer)) return undefined
  const records: { exchange: string; priority: number }[] = []
  for (const row of answer) {
    const { exchange, priority } = (row ?? {}) as { exchange?: unknown; priority?: unknown }
    if (typeof exchange !== 'string' || typeof priority !== 'number' || !Number.isFinite(priority))
      return undefined
    records.push({ exchange: exchange.replace(/\.$/, ''), priority })
  }
  return records
}
