import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import { aliasOrUndefined } from './alias.js'
import type { AliasRegistry } from './alias-registry.js'
import { withAuthenticationResults, type DNSResolver } from './authenticate.js'
import { BridgeError } from './errors.js'
import { ConnectionLimiter, RateLimiter, hasBareLineEnding } from './guards.js'
import type { InboundDelivery } from './inbound-delivery.js'
import { listenSmtp } from './smtp-listen.js'
import { smtpReplyFor } from './smtp-replies.js'

/** Settings of the inbound SMTP server (defaults in brackets). */
export interface InboundSmtpOptions {
  /** Interface to listen on [127.0.0.1]. */
  host?: string
  /** Port; 0 picks a free one [25]. */
  port?: number
  /** Largest message, bytes [25 MiB]. */
  maxMessageBytes?: number
  /** Recipients per message [100]. */
  maxRecipients?: number
  /** Open connections in all, and from one client address [100, 10]. */
  maxConnections?: number
  maxConnectionsPerHost?: number
  /** Messages per client address and per envelope sender: a burst, then a rate per hour [100, 600]. */
  messageBurst?: number
  messagesPerHour?: number
  /** PEM key and certificate: STARTTLS is offered only when both are given. */
  tls?: { key: string | Buffer; cert: string | Buffer }
  /** DNS for SPF/DKIM/DMARC/ARC checks [the system resolver]. */
  resolver?: DNSResolver
}

export interface InboundSmtpComponents {
  /** The mail domain; also our name in the greeting and in Authentication-Results. */
  domain: string
  registry: AliasRegistry
  delivery: InboundDelivery
  now?: () => number
  log?: (event: string, detail: Record<string, unknown>) => void
}

/** What a session carries between hooks: the accounts its recipients deliver to. */
interface Transaction {
  accounts: Map<string, Buffer>
}

/**
 * The bridge's inbound SMTP server. smtp-server speaks the protocol; the hooks decide: connection slots
 * (421), a rate per client and per sender (452), recipients that are our aliases or nothing (550 at
 * RCPT, never a bounce later), size at DATA (552), bare line endings (550), then authentication results,
 * sealing and a flush, and only then `250`.
 */
export class InboundSmtp {
  private readonly server: SMTPServer
  private readonly options: Required<Omit<InboundSmtpOptions, 'tls' | 'resolver'>> &
    Pick<InboundSmtpOptions, 'tls' | 'resolver'>
  private readonly connections: ConnectionLimiter
  private readonly hostRates: RateLimiter
  private readonly senderRates: RateLimiter
  private readonly slots = new Map<string, string>()
  private readonly transactions = new Map<string, Transaction>()
  private readonly log: (event: string, detail: Record<string, unknown>) => void
  private closing: Promise<void> | null = null

  constructor(
    private readonly components: InboundSmtpComponents,
    options: InboundSmtpOptions = {},
  ) {
    this.options = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 25,
      maxMessageBytes: options.maxMessageBytes ?? 25 * 1024 * 1024,
      maxRecipients: options.maxRecipients ?? 100,
      maxConnections: options.maxConnections ?? 100,
      maxConnectionsPerHost: options.maxConnectionsPerHost ?? 10,
      messageBurst: options.messageBurst ?? 100,
      messagesPerHour: options.messagesPerHour ?? 600,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.resolver ? { resolver: options.resolver } : {}),
    }
    const now = components.now ?? Date.now
    this.log = components.log ?? (() => {})
    this.connections = new ConnectionLimiter(
      this.options.maxConnections,
      this.options.maxConnectionsPerHost,
    )
    this.hostRates = new RateLimiter(this.options.messageBurst, this.options.messagesPerHour, now)
    this.senderRates = new RateLimiter(this.options.messageBurst, this.options.messagesPerHour, now)
    const tls = this.options.tls
    this.server = new SMTPServer({
      name: components.domain,
      banner: 'Peermail bridge',
      size: this.options.maxMessageBytes,
      logger: false,
      // Inbound only: nobody logs in here, and without our own certificate STARTTLS is not offered
      // (smtp-server's built-in test certificate has a published private key).
      disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      ...(tls ? { key: tls.key, cert: tls.cert } : {}),
      onConnect: (session, callback) => {
        callback(this.onConnect(session))
      },
      onClose: (session) => {
        this.onClose(session)
      },
      onMailFrom: (address, session, callback) => {
        callback(this.onMailFrom(address.address, session))
      },
      onRcptTo: (address, session, callback) => {
        this.onRcptTo(address.address, session).then(
          () => {
            callback()
          },
          (err: unknown) => {
            callback(smtpReplyFor(err))
          },
        )
      },
      onData: (stream, session, callback) => {
        this.onData(stream, session).then(
          (id) => {
            callback(null, `Message accepted as ${id}`)
          },
          (err: unknown) => {
            callback(smtpReplyFor(err))
          },
        )
      },
    })
    this.server.on('error', (err) => {
      this.log('smtp-error', { message: err.message })
    })
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return listenSmtp(this.server, this.options.port, this.options.host)
  }

  /** Stops accepting connections and ends the open ones. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve()
      })
    })
    return this.closing
  }

  private onConnect(session: SMTPServerSession): Error | null {
    if (this.closing) return smtpReplyFor(BridgeError.CLOSED())
    if (!this.connections.open(session.remoteAddress))
      return smtpReplyFor(BridgeError.TOO_MANY_CONNECTIONS())
    this.slots.set(session.id, session.remoteAddress)
    return null
  }

  private onClose(session: SMTPServerSession): void {
    const host = this.slots.get(session.id)
    if (host !== undefined) this.connections.close(host)
    this.slots.delete(session.id)
    this.transactions.delete(session.id)
  }

  private onMailFrom(sender: string, session: SMTPServerSession): Error | null {
    // A new transaction (MAIL FROM after RSET or a previous message) starts with no recipients.
    this.transactions.set(session.id, { accounts: new Map() })
    if (!this.hostRates.take(session.remoteAddress)) return smtpReplyFor(BridgeError.RATE_LIMITED())
    if (!this.senderRates.take(sender.toLowerCase()))
      return smtpReplyFor(BridgeError.RATE_LIMITED())
    return null
  }

  private async onRcptTo(recipient: string, session: SMTPServerSession): Promise<void> {
    const transaction = this.transactions.get(session.id)
    if (!transaction) throw BridgeError.NOT_READY('no transaction')
    if (session.envelope.rcptTo.length >= this.options.maxRecipients)
      throw BridgeError.TOO_MANY_RECIPIENTS(this.options.maxRecipients)
    const alias = aliasOrUndefined(recipient)
    // Only our domain: anything else would make us a relay.
    if (alias?.endsWith(`@${this.components.domain}`) !== true) {
      const domain = recipient.slice(recipient.lastIndexOf('@') + 1).toLowerCase()
      if (domain !== this.components.domain) throw BridgeError.RELAY_DENIED()
      throw BridgeError.UNKNOWN_RECIPIENT()
    }
    const account = this.components.registry.lookup(alias)
    if (!account) throw BridgeError.UNKNOWN_RECIPIENT()
    if (!(await this.components.delivery.ready(account)))
      throw BridgeError.NOT_READY('account keys not known yet')
    transaction.accounts.set(account.toString('hex'), account)
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const raw = await readBounded(stream, this.options.maxMessageBytes)
    if (stream.sizeExceeded || raw === null)
      throw BridgeError.MESSAGE_TOO_LARGE(this.options.maxMessageBytes)
    if (hasBareLineEnding(raw)) throw BridgeError.BARE_LINE_ENDING()
    const accounts = [...(this.transactions.get(session.id)?.accounts.values() ?? [])]
    if (accounts.length === 0) throw BridgeError.UNKNOWN_RECIPIENT()
    const mailFrom = session.envelope.mailFrom
    const authenticated = await withAuthenticationResults(
      raw,
      {
        ip: session.remoteAddress,
        helo: session.hostNameAppearsAs || '',
        sender: mailFrom ? mailFrom.address : '',
      },
      this.components.domain,
      this.options.resolver,
    )
    await this.components.delivery.deliver(authenticated, accounts)
    // Logged without contents or addresses: only that a message of this size went to n accounts.
    this.log('inbound', { session: session.id, bytes: raw.byteLength, accounts: accounts.length })
    return session.id
  }
}

/**
 * Reads an SMTP DATA stream, keeping at most `limit` bytes: an oversize message is drained (the client
 * must finish sending before it can hear 552) but never held. Null when it was too large.
 */
export async function readBounded(
  stream: SMTPServerDataStream,
  limit: number,
): Promise<Buffer | null> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.byteLength
    if (bytes <= limit) chunks.push(chunk)
  }
  return bytes > limit ? null : Buffer.concat(chunks, bytes)
}
