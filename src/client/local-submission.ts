import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server'
import { envelopeAddress } from '../bridge/mail-address.js'
import { readBounded } from '../bridge/smtp-inbound.js'
import { listenSmtp } from '../bridge/smtp-listen.js'
import { smtpReply as reply } from '../bridge/smtp-replies.js'
import { AttemptLimit } from '../shared/attempt-limit.js'
import { isPeermailError } from '../shared/errors.js'
import { PEER_MAIL_DOMAIN, peerIdentityOf } from '../sync/index.js'
import type { Account } from './account.js'
import { hasSubmissionPassword, isSubmissionPassword } from './submission-password.js'

/** Settings of local submission (defaults in brackets). */
export interface LocalSubmissionOptions {
  /** 127.0.0.1 or localhost, nothing else [127.0.0.1]. */
  host?: string
  /** Port; 0 picks a free one [587 is the usual submission port, but needs privileges: 0]. */
  port?: number
  /** Open connections at once [10]. */
  maxConnections?: number
  /** Failed logins allowed per minute before every login is refused for a while [5]. */
  failedLoginsPerMinute?: number
  now?: () => number
}

/** A running local submission server. */
export interface LocalSubmission {
  readonly host: string
  readonly port: number
  /** Stops accepting mail and ends the open connections. Idempotent. */
  close(): Promise<void>
}

type SubmittingAccount = Pick<Account, 'address' | 'sendRaw' | 'listAliases' | 'mailbox'>

const LOCAL_HOSTS = ['127.0.0.1', 'localhost']
const MAX_RECIPIENTS = 100
const MINUTE_MS = 60_000

/**
 * SMTP submission on this machine, for ordinary mail clients (Thunderbird, mutt, `git send-email`) to
 * send as the account: the way Proton's Bridge lets them, with the account's app password
 * (`renewSubmissionPassword`). It listens on loopback only, so AUTH goes without TLS: the bytes never
 * leave the machine. A client must log in (AUTH PLAIN or LOGIN, user: the account's address or an alias),
 * may only send from the account's own addresses, and each message is sent by {@link Account.sendRaw}:
 * `250` means it is stored in Sent and queued, as `send()` returning does.
 */
export async function startLocalSubmission(
  account: SubmittingAccount,
  options: LocalSubmissionOptions = {},
): Promise<LocalSubmission> {
  const host = options.host ?? '127.0.0.1'
  if (!LOCAL_HOSTS.includes(host))
    throw new Error(`local submission listens on 127.0.0.1 or localhost only, not ${host}`)
  const now = options.now ?? Date.now
  // Failed logins only: a client that logs in right is never slowed down.
  const failures = new AttemptLimit({
    max: options.failedLoginsPerMinute ?? 5,
    windowMs: MINUTE_MS,
    now,
  })
  const maxMessageBytes = account.mailbox.store.maxMessageBytes
  // What the account may send as, fresh each time: an alias added while serving counts at once.
  const own = async () => [
    `${account.address}@${PEER_MAIL_DOMAIN}`,
    ...(await account.listAliases()).map((a) => a.alias.toLowerCase()),
  ]
  const server = new SMTPServer({
    name: 'localhost',
    banner: 'Peermail local submission',
    logger: false,
    size: maxMessageBytes,
    authMethods: ['PLAIN', 'LOGIN'],
    // Loopback only (checked above): the password never crosses a network.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    maxClients: options.maxConnections ?? 10,
    onAuth: (auth, _session, callback) => {
      login(auth).then(
        (user) => {
          callback(null, { user })
        },
        (err: unknown) => {
          callback(err as Error)
        },
      )
    },
    onMailFrom: (address, _session, callback) => {
      own().then(
        (addresses) => {
          callback(
            addresses.includes(normalised(address.address))
              ? null
              : reply(550, '5.7.1', `you may only send from ${addresses.join(' or ')}`),
          )
        },
        () => {
          callback(reply(451, '4.3.0', 'Local error, try again later'))
        },
      )
    },
    onRcptTo: (address, session, callback) => {
      recipientError(address.address, session).then(
        (err) => {
          callback(err)
        },
        () => {
          callback(reply(451, '4.3.0', 'Local error, try again later'))
        },
      )
    },
    onData: (stream, session, callback) => {
      void (async () => {
        const raw = await readBounded(stream, maxMessageBytes)
        if (stream.sizeExceeded || raw === null)
          return reply(552, '5.3.4', `messages are limited to ${maxMessageBytes} bytes`)
        const recipients = session.envelope.rcptTo.map((r) => r.address)
        const { id } = await account.sendRaw(raw, recipients)
        return id
      })().then(
        (result) => {
          if (result instanceof Error) callback(result)
          else callback(null, `Message stored in Sent as ${result}`)
        },
        (err: unknown) => {
          callback(replyFor(err))
        },
      )
    },
  })

  async function login(auth: SMTPServerAuthentication): Promise<string> {
    if (failures.waitMs() > 0)
      throw reply(454, '4.7.0', 'too many failed logins: try again in a minute')
    const user = normalised(auth.username ?? '')
    const known = (await own()).includes(user)
    if (known && (await isSubmissionPassword(account, auth.password ?? ''))) return account.address
    failures.record()
    throw reply(
      535,
      '5.7.8',
      (await hasSubmissionPassword(account))
        ? 'wrong user or app password'
        : 'no app password is set: make one with `peermail smtp-password`',
    )
  }

  // A recipient is refused at RCPT, with the reason, rather than the whole message at DATA.
  async function recipientError(
    address: string,
    session: SMTPServerSession,
  ): Promise<Error | null> {
    if (session.envelope.rcptTo.length >= MAX_RECIPIENTS)
      return reply(452, '4.5.3', `at most ${MAX_RECIPIENTS} recipients`)
    if (peerIdentityOf(address)) return null
    if (address.toLowerCase().startsWith('pm1'))
      return reply(553, '5.1.3', `${address} is not a Peermail address: is it mistyped?`)
    try {
      envelopeAddress(address)
    } catch {
      return reply(553, '5.1.3', `${address} is not an address mail can be sent to`)
    }
    if ((await account.listAliases()).length === 0)
      return reply(
        550,
        '5.7.1',
        `${address} is an ordinary address: this account needs an alias on a bridge to reach it`,
      )
    return null
  }

  const port = await listenSmtp(server, options.port ?? 0, host)
  server.on('error', () => {}) // a client's broken connection is its own affair
  let closing: Promise<void> | null = null
  return {
    host,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      })),
  }
}

/** An address as compared here: lower case, with a bare `pm1…` given the Peermail domain. */
function normalised(address: string): string {
  const lower = address.trim().toLowerCase()
  return lower.startsWith('pm1') && !lower.includes('@') ? `${lower}@${PEER_MAIL_DOMAIN}` : lower
}

// A refused message says why (the client shows it to its user); our own failures ask to try again.
function replyFor(err: unknown): Error {
  if (!isPeermailError(err)) return reply(451, '4.3.0', 'Local error, try again later')
  switch (err.code) {
    case 'MESSAGE_TOO_LARGE':
      return reply(552, '5.3.4', err.message)
    case 'INVALID_INPUT':
    case 'NOT_A_PEER_ADDRESS':
    case 'ADDRESS_FORMAT':
    case 'ADDRESS_VERSION':
    case 'ADDRESS_CHECKSUM':
      return reply(550, '5.6.0', err.message)
    default:
      return reply(451, '4.3.0', `${err.message}; try again later`)
  }
}
