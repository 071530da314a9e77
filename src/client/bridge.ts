import { mkdir, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { AliasRegistry } from '../bridge/alias-registry.js'
import { normaliseDomain } from '../bridge/alias.js'
import { AliasServer } from '../bridge/alias-server.js'
import { BridgeError } from '../bridge/errors.js'
import { composeDeliveryReport } from '../bridge/delivery-report.js'
import { checkDkim, dkimSigned, type DkimOptions } from '../bridge/dkim.js'
import { InboundDelivery } from '../bridge/inbound-delivery.js'
import { OutboundQueue, type OutboundQueueOptions } from '../bridge/outbound-queue.js'
import { smarthostRelay } from '../bridge/smarthost.js'
import { directRelay, type DirectDeliveryOptions } from '../bridge/direct-relay.js'
import { InboundSmtp, type InboundSmtpOptions } from '../bridge/smtp-inbound.js'
import { StatusFile } from '../bridge/status.js'
import { parseSubmission } from '../bridge/submission.js'
import { SubmissionIntake } from '../bridge/submissions.js'
import { encodeAddress, randomBytes, type VaultParams } from '../crypto/index.js'
import { isPeermailError } from '../shared/errors.js'
import { publish, syncDirectory, writeTempFile } from '../shared/atomic-file.js'
import type { BootstrapNode } from '../sync/index.js'
import { createAccount, hasAccount, openNode } from './node.js'

export interface OpenBridgeOptions {
  /** The bridge's directory: its vault, its encrypted store (aliases, pair logs). Created on first use. */
  home: string
  /**
   * Unlocks the bridge's vault. Without one, a random passphrase is kept in `home/bridge-passphrase`
   * (mode 0600): an always-on box has nobody to type it, and the vault then guards only against
   * copies of the store made without that file.
   */
  passphrase?: string
  /** The mail domain the bridge serves (`alice@<domain>`). */
  domain: string
  /** DHT bootstrap nodes; default the public HyperDHT. */
  bootstrap?: BootstrapNode[]
  /** The inbound SMTP server: `{ host: '127.0.0.1', port: 0 }` in tests (0 picks a free port). */
  smtp: InboundSmtpOptions & { host: string; port: number }
  /**
   * Where outbound mail goes: `smtp://host:port` or `smtps://user:pass@host:port`. Without one the
   * bridge delivers straight to each recipient domain's MX hosts (see `direct`).
   */
  smarthost?: string
  /** Direct MX delivery (used when there is no smarthost): DNS resolver, port, timeouts, address policy. */
  direct?: DirectDeliveryOptions
  /** DKIM key for `domain`; outbound mail is signed when given. */
  dkim?: DkimOptions
  /** Outbound retries and parallelism. */
  outbound?: OutboundQueueOptions
  /** Argon2id limits for a vault created here; tests pass small ones. */
  vaultParams?: VaultParams
  /** Structured events (no message contents, no addresses); default nowhere. */
  log?: (event: string, detail: Record<string, unknown>) => void
}

/** A running bridge. */
export interface Bridge {
  /** The bridge's `pm1…` address: what accounts name in `addAlias`. */
  readonly address: string
  readonly publicKey: Buffer
  readonly domain: string
  /** The port the SMTP server listens on. */
  readonly smtpPort: number
  /** Aliases registered here, with the account each delivers to. */
  aliases(): { alias: string; account: Buffer }[]
  /** Outbound mails waiting (for delivery or a retry). */
  queueLength(): Promise<number>
  /** Stops SMTP first (no new mail), then the node. Idempotent. */
  close(): Promise<void>
}

const PASSPHRASE_FILE = 'bridge-passphrase'

/**
 * Runs an SMTP bridge (docs/architecture.md, "Bridge"): a Peermail node with its own identity that
 * registers aliases for accounts over `peermail-bridge/1` and turns inbound SMTP mail for those aliases
 * into sealed pair-log mail to the account, answering `250` only once it is on disk.
 */
export async function openBridge(options: OpenBridgeOptions): Promise<Bridge> {
  const domain = normaliseDomain(options.domain)
  checkSmtp(options.smtp)
  if (options.dkim) await checkDkim(domain, options.dkim)
  const relay = options.smarthost
    ? smarthostRelay(options.smarthost, domain)
    : directRelay(domain, options.direct, options.log)
  await mkdir(options.home, { recursive: true, mode: 0o700 })
  const passphrase = options.passphrase ?? (await storedPassphrase(options.home))
  if (!(await hasAccount(options.home))) {
    await createAccount({
      home: options.home,
      passphrase,
      ...(options.vaultParams ? { vaultParams: options.vaultParams } : {}),
    })
  }
  const log = options.log ?? (() => {})
  // Every event also feeds the status file (`peermail bridge status`) once it exists.
  let status: StatusFile | undefined
  const logged = (event: string, detail: Record<string, unknown>) => {
    status?.record(event, detail)
    log(event, detail)
  }
  const node = await openNode({
    home: options.home,
    passphrase,
    network: {
      deferStart: true,
      log,
      // Nothing here reports per inbound mail: the account's acks only need to cover the log's length.
      trackReceipts: false,
      ...(options.bootstrap ? { bootstrap: options.bootstrap } : {}),
    },
  })
  const cleanup: (() => Promise<void>)[] = [() => node.close()]
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {})
  }
  try {
    const sync = node.sync
    if (!sync) throw BridgeError.INVALID_OPTIONS('the bridge needs the network')
    // A bridge answers alias requests and makes none: the node's account-side client stands down.
    node.aliases?.close()
    const registry = await AliasRegistry.open(node.mailbox)
    const aliasServer = new AliasServer({
      registry,
      bridge: node.identityPublicKey,
      domain,
      log: logged,
      // A registered account is a contact: its submissions need no stamp and are not rate-limited.
      onRegistered: async (account) => {
        await node.mailbox.contacts.put(encodeAddress(account))
        sync.refreshHello(account)
      },
    })
    cleanup.push(() => {
      aliasServer.close()
      return Promise.resolve()
    })
    sync.on('connection', (conn, mux) => {
      aliasServer.attach(conn, mux)
    })
    const delivery = new InboundDelivery({
      mailbox: node.mailbox,
      sync,
      flush: () => node.flush(),
    })
    const mailbox = node.mailbox
    const queue = new OutboundQueue(
      {
        mailbox,
        relay,
        log: logged,
        // Read and signed at each attempt: the queue holds the submission, never a second copy.
        load: async (id) => {
          try {
            const { raw } = parseSubmission(await mailbox.read(id), await mailbox.raw(id))
            return options.dkim ? await dkimSigned(raw, domain, options.dkim) : raw
          } catch (err) {
            if (isPeermailError(err, 'MESSAGE_NOT_FOUND')) return undefined
            throw err
          }
        },
        // Failures always come back (the bounce); deliveries only to an account that gave an envelope
        // id, since without one it cannot tell which mail a success report is about.
        report: async (id, entry) => {
          const delivered = entry.envid ? (entry.delivered ?? []) : []
          if (delivered.length === 0 && entry.failures.length === 0) return
          const original = await mailbox
            .read(id)
            .then(async (mail) => parseSubmission(mail, await mailbox.raw(id)).raw)
            .catch(() => Buffer.alloc(0))
          const report = await composeDeliveryReport({
            domain,
            alias: entry.alias,
            original,
            envid: entry.envid,
            delivered,
            failures: entry.failures,
          })
          await delivery.deliver(report, [Buffer.from(entry.account, 'hex')])
          logged('outbound-reported', {
            delivered: delivered.length,
            failed: entry.failures.length,
          })
        },
        settle: async (id) => {
          await mailbox.deleteForever(id).catch(() => {})
        },
      },
      options.outbound,
    )
    cleanup.push(() => queue.close())
    const intake = new SubmissionIntake({ mailbox, registry, queue, delivery, domain, log })
    sync.on('mail', (summaries) => {
      intake.onMail(summaries).catch((err: unknown) => {
        log('intake-failed', { message: String(err) })
      })
    })
    await sync.ready()
    await intake.scan()
    queue.kick()
    const smtp = new InboundSmtp({ domain, registry, delivery, log: logged }, options.smtp)
    const smtpPort = await smtp.listen()
    cleanup.push(() => smtp.close())
    status = new StatusFile(options.home, {
      address: node.address,
      domain,
      smtpPort,
      aliases: () =>
        registry.list().map(({ alias, account }) => ({ alias, account: encodeAddress(account) })),
      queueLength: () => queue.length(),
    })
    await status.start()
    // Last out: the final status says the bridge stopped, after SMTP and the queue have.
    const written = status
    cleanup.unshift(() => written.close())
    let closing: Promise<void> | null = null
    return {
      address: node.address,
      publicKey: Buffer.from(node.identityPublicKey),
      domain,
      smtpPort,
      aliases: () => registry.list(),
      queueLength: () => queue.length(),
      close: () => (closing ??= unwind()),
    }
  } catch (err) {
    await unwind()
    throw err
  }
}

function checkSmtp(smtp: OpenBridgeOptions['smtp'] | undefined): void {
  if (typeof smtp !== 'object') throw BridgeError.INVALID_OPTIONS('smtp must be { host, port }')
  if (typeof smtp.host !== 'string' || smtp.host.length === 0)
    throw BridgeError.INVALID_OPTIONS('smtp.host')
  if (!Number.isInteger(smtp.port) || smtp.port < 0 || smtp.port > 65535)
    throw BridgeError.INVALID_OPTIONS('smtp.port (0-65535)')
  for (const name of [
    'maxMessageBytes',
    'maxRecipients',
    'maxConnections',
    'maxConnectionsPerHost',
    'messageBurst',
    'messagesPerHour',
  ] as const) {
    const value = smtp[name]
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw BridgeError.INVALID_OPTIONS(`smtp.${name} (a positive integer)`)
  }
  if (smtp.tls && (!smtp.tls.key || !smtp.tls.cert))
    throw BridgeError.INVALID_OPTIONS('smtp.tls needs both key and cert')
}

// The unattended bridge's passphrase: created once, random, private to the bridge's user.
async function storedPassphrase(home: string): Promise<string> {
  const path = join(home, PASSPHRASE_FILE)
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') throw err
  }
  const passphrase = randomBytes(32).toString('hex')
  const { temp } = await writeTempFile(home, (handle) => handle.writeFile(passphrase))
  if (!(await publish(temp, path))) {
    await unlink(temp).catch(() => {})
    return (await readFile(path, 'utf8')).trim()
  }
  await syncDirectory(home)
  return passphrase
}
