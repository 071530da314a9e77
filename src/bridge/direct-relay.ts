import { isIP } from 'node:net'
import { createTransport } from 'nodemailer'
import { BridgeError } from './errors.js'
import { addressesOf, mailRouteFor, systemResolver, type MxResolver } from './mx.js'
import { isPublicAddress } from './public-address.js'
import type { Relay } from './smarthost.js'
import { emptyAttempt, sendOnceExplained, type AttemptResult } from './smtp-attempt.js'

/** Settings of direct delivery to each recipient domain's mail hosts (defaults in brackets). */
export interface DirectDeliveryOptions {
  /** DNS for MX, A and AAAA lookups [the system resolver]. Tests answer from fixed records. */
  resolver?: MxResolver
  /**
   * The port mail hosts listen on [25]. Tests running several mail hosts on 127.0.0.1 pass a function
   * from the MX host name to its port.
   */
  port?: number | ((host: string) => number)
  /** Connection, greeting and socket timeouts, ms [60 000]. */
  timeoutMs?: number
  /**
   * Deliver to MX hosts on loopback, private and other non-public addresses too [false]: for tests and
   * for a bridge whose recipients' mail hosts are inside its own network.
   */
  allowPrivateAddresses?: boolean
}

type Log = (event: string, detail: Record<string, unknown>) => void

// Recipient domains delivered to at once, for one message.
const DOMAIN_CONCURRENCY = 4

/**
 * A relay that delivers straight to each recipient domain's mail hosts (RFC 5321 §5): recipients are
 * grouped by domain, hosts tried best first, and a host that cannot be reached or answers 4xx passes the
 * recipients it did not take on to the next. 5xx is final; what no host took is retried by the queue.
 */
export function directRelay(
  heloName: string,
  options: DirectDeliveryOptions = {},
  log: Log = () => {},
): Relay {
  const resolver = options.resolver ?? systemResolver
  const timeoutMs = options.timeoutMs ?? 60_000
  const port = options.port ?? 25
  if (typeof port === 'number' && (!Number.isInteger(port) || port < 1 || port > 65535))
    throw BridgeError.INVALID_OPTIONS('direct.port (1-65535)')
  const portOf = typeof port === 'number' ? () => port : port
  const allowed = options.allowPrivateAddresses ? () => true : isPublicAddress

  async function sendToAddress(
    host: string,
    address: string,
    raw: Buffer,
    from: string,
    recipients: string[],
  ): Promise<AttemptResult> {
    const secured = await connectAndSend(host, address, raw, from, recipients, true)
    if (!secured.tlsFailed) return secured.result
    // Opportunistic means never worse than plaintext (RFC 7435 §3): a STARTTLS that fails is tried
    // again without it, as other mail servers do, rather than leaving the mail stuck.
    log('outbound-tls-fallback', { host })
    return (await connectAndSend(host, address, raw, from, recipients, false)).result
  }

  async function connectAndSend(
    host: string,
    address: string,
    raw: Buffer,
    from: string,
    recipients: string[],
    startTls: boolean,
  ) {
    const transport = createTransport({
      host: address,
      port: portOf(host),
      secure: false,
      name: heloName,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // Opportunistic STARTTLS (RFC 7435): encrypt whenever offered, without insisting on a certificate
      // that most mail hosts do not have for their MX name; MTA-STS/DANE would make it strict.
      tls: { rejectUnauthorized: false, ...(isIP(host) === 0 ? { servername: host } : {}) },
      ignoreTLS: !startTls,
    })
    try {
      return await sendOnceExplained(transport, raw, from, recipients)
    } finally {
      transport.close()
    }
  }

  async function sendToDomain(
    domain: string,
    raw: Buffer,
    from: string,
    recipients: string[],
  ): Promise<AttemptResult> {
    const result = emptyAttempt()
    const route = await mailRouteFor(domain, resolver)
    if (route.kind !== 'hosts') {
      log('outbound-route', { domain, outcome: route.kind, reason: route.reason })
      const bucket = route.kind === 'permanent' ? result.permanent : result.temporary
      for (const recipient of recipients) bucket.push({ recipient, reason: route.reason })
      return result
    }
    let pending = recipients
    const reasons = new Map<string, string>()
    let lastReason = `no mail host of ${domain} could be reached`
    // Whether anything may change by the next attempt: a connection was tried or DNS was in trouble.
    let worthRetrying = false
    for (const host of route.hosts) {
      const found = await addressesOf(host, resolver)
      if (found.kind !== 'addresses') {
        lastReason = found.reason
        if (found.kind === 'temporary') worthRetrying = true
        continue
      }
      const usable = found.addresses.filter(allowed)
      if (usable.length === 0) {
        lastReason = `${host} has no public address (${found.addresses.join(', ')})`
        continue
      }
      worthRetrying = true
      for (const address of usable) {
        const attempt = await sendToAddress(host, address, raw, from, pending)
        log('outbound-host', {
          domain,
          host,
          accepted: attempt.accepted.length,
          permanent: attempt.permanent.length,
          temporary: attempt.temporary.length,
        })
        result.accepted.push(...attempt.accepted)
        result.permanent.push(...attempt.permanent)
        for (const t of attempt.temporary) reasons.set(t.recipient, `${host}: ${t.reason}`)
        pending = attempt.temporary.map((t) => t.recipient)
        if (pending.length === 0) return result
      }
    }
    // Every host has no (public) address, or does not exist: nowhere to deliver, as Postfix decides too.
    const bucket = worthRetrying ? result.temporary : result.permanent
    for (const recipient of pending)
      bucket.push({ recipient, reason: reasons.get(recipient) ?? lastReason })
    return result
  }

  return {
    send: async (raw, from, recipients) => {
      const byDomain = new Map<string, string[]>()
      for (const recipient of recipients) {
        const domain = recipient.slice(recipient.lastIndexOf('@') + 1).toLowerCase()
        byDomain.set(domain, [...(byDomain.get(domain) ?? []), recipient])
      }
      const result = emptyAttempt()
      const groups = [...byDomain]
      for (let i = 0; i < groups.length; i += DOMAIN_CONCURRENCY) {
        const parts = await Promise.all(
          groups
            .slice(i, i + DOMAIN_CONCURRENCY)
            .map(([domain, rcpts]) => sendToDomain(domain, raw, from, rcpts)),
        )
        for (const part of parts) {
          result.accepted.push(...part.accepted)
          result.permanent.push(...part.permanent)
          result.temporary.push(...part.temporary)
        }
      }
      return result
    },
    // Each attempt opens and closes its own connections: nothing stays open between attempts.
    close: () => {},
  }
}
