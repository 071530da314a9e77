import { EventEmitter } from 'node:events'
import { encodeAddress, type VaultParams } from '../crypto/index.js'
import {
  MailboxError,
  type DeliveryState,
  type Flags,
  type Mailbox,
  type MessageSummary,
  type ReadMessage,
} from '../mailbox/index.js'
import {
  outgoingSummary,
  peerIdentityOf,
  peerMailAddress,
  requirePeerIdentity,
  type BootstrapNode,
  type OutgoingSummary,
  type DeliveryEvent,
  type PrekeyPolicy,
  type SyncEngine,
} from '../sync/index.js'
import { AccountAliases, type AccountAlias } from '../bridge/account-aliases.js'
import { DeliveryReports } from '../bridge/report-receiver.js'
import { composeOutgoing, type OutgoingMail, type SendInput } from './compose-outgoing.js'
import { prepareSubmittedMail } from './submitted-mail.js'
import { isMessageId } from '../mailbox/ids.js'
import { ClientError } from './errors.js'
import { SendQueue } from './send-queue.js'
import {
  createAccount,
  hasAccount,
  openNode,
  type NetworkOptions,
  type PeermailNode,
} from './node.js'

export interface OpenAccountOptions {
  home: string
  passphrase: string
  /** DHT bootstrap nodes (`createLocalNetwork().bootstrap` in tests); default the public HyperDHT. */
  bootstrap?: BootstrapNode[]
  /** Leading zero bits strangers must pay for first contact. Default 16. */
  stampDifficulty?: number
  /** Redial delays for peers we owe mail, ms. */
  backoffs?: [number, number, number, number]
  /** How often unreachable peers we owe mail are dialled afresh, ms. Default 30 s. */
  redialEveryMs?: number
  /** Argon2id limits for a vault created here; tests pass small ones. */
  vaultParams?: VaultParams
  /** Largest mail accepted, bytes. Default 50 MB. */
  maxMessageBytes?: number
  /** Where delivery trouble is reported (a peer dropped, a relay refusing); default nowhere. */
  log?: (event: string, detail: Record<string, unknown>) => void
  /** Relays (`pm1…` addresses) that hold mail for this account while it is offline. */
  relays?: string[]
  /** How long a recipient may stay unreachable before mail goes to its relays, ms. Default 3 s. */
  relayAfterMs?: number
  /** Prekey rotation periods (forward secrecy); tests shorten them. */
  prekeyPolicy?: Partial<PrekeyPolicy>
  /** Clock for delivery and prekey rotation; tests move it forward. */
  now?: () => number
  /** Create the account when `home` has none (default true); false throws NO_ACCOUNT instead. */
  create?: boolean
}

/** See {@link Account.connectivity}. */
export interface AccountConnectivity {
  online: boolean
  peers: string[]
  relays: { relay: string; connected: boolean }[]
  outgoing: OutgoingSummary
}

export interface AccountEvents {
  /** A mail arrived and is stored (inbox or requests). */
  mail: [summary: MessageSummary]
  /** An outbound mail changed state for one recipient. */
  delivery: [update: DeliveryEvent]
  /** One of the account's relays confirmed its registration (`relay` is its `pm1…` address). */
  relay: [status: { relay: string; quotaBytes: number; usedBytes: number }]
  /**
   * Catch-up progress of one sender's log: `handled` of its `length` blocks read and stored (a block is
   * one mail, or part of a large one). `log` names the log (hex); a sender may have several devices.
   */
  progress: [progress: { peer: string; log: string; handled: number; length: number }]
}

interface QueuedSend {
  raw: Buffer
  peers: Buffer[]
  delivery: Record<string, DeliveryState>
  /** Its ordinary recipients' submission, whose delivery reports move their states. */
  submitted?: { envid: string; bridge: Buffer; rcpt: string[] }
}

/** The mailbox as the library presents it: lists are arrays, `page()` gives cursors. */
export interface AccountMailbox {
  list(options: { folder: string; unread?: boolean; limit?: number }): Promise<MessageSummary[]>
  page: Mailbox['list']
  read(id: string): Promise<ReadMessage>
  search(query: string, options?: { limit?: number; offset?: number }): Promise<MessageSummary[]>
  move(id: string, folder: string): Promise<MessageSummary>
  flag(id: string, flags: Partial<Flags>): Promise<MessageSummary>
  trash(id: string): Promise<MessageSummary>
  counts: Mailbox['counts']
  thread: Mailbox['thread']
  /** The full mailbox API (folders, labels, contacts, drafts, import/export helpers). */
  readonly store: Mailbox
}

/**
 * An account, online: its address, mailbox and peer-to-peer delivery (README, "Library API"). Opening
 * creates the account on first use; `recoveryPhrase` is then set once, to be shown to the user.
 */
export class Account extends EventEmitter<AccountEvents> {
  readonly address: string
  /** The account's directory (its settings and vault live there; the app reads both through it). */
  readonly home: string
  readonly mailbox: AccountMailbox
  /** The 24-word phrase of an account created by this open; undefined when it already existed. */
  readonly recoveryPhrase: string | undefined
  private readonly node: PeermailNode
  private readonly sync: SyncEngine
  private readonly sendQueue = new SendQueue<QueuedSend>((items) => this.flushSends(items))
  private readonly aliases: AccountAliases | undefined
  private readonly reports: DeliveryReports
  private closing: Promise<void> | null = null

  constructor(
    node: PeermailNode,
    sync: SyncEngine,
    recoveryPhrase: string | undefined,
    aliases?: AccountAliases,
  ) {
    super()
    this.node = node
    this.sync = sync
    this.aliases = aliases
    this.address = node.address
    this.home = node.home
    this.recoveryPhrase = recoveryPhrase
    this.mailbox = mailboxView(node.mailbox)
    this.reports = new DeliveryReports(node.mailbox, (updates) => {
      for (const update of updates) this.emit('delivery', update)
    })
    // Reports come only in the logs of bridges the account holds an alias with (the carriers).
    sync.setCarrierMailHook((bridge, raw) => this.reports.receive(bridge, raw))
    sync.on('mail', (summaries) => {
      for (const summary of summaries) this.emit('mail', summary)
    })
    sync.on('delivery', (updates) => {
      for (const update of updates) this.emit('delivery', update)
    })
    sync.on('progress', ({ peer, log, handled, length }) => {
      this.emit('progress', {
        peer: encodeAddress(peer),
        log: log.toString('hex'),
        handled,
        length,
      })
    })
    sync.on('relay', ({ relay, quotaBytes, usedBytes }) => {
      this.emit('relay', { relay: encodeAddress(relay), quotaBytes, usedBytes })
    })
  }

  /**
   * Composes, stores in Sent and queues a mail for each recipient; returns once it is safely stored (it
   * leaves as soon as the recipients are reachable). Writing to someone makes them a contact.
   */
  async send(input: SendInput): Promise<{ id: string }> {
    this.assertOpen()
    const mailbox = this.node.mailbox
    const from = { name: '', address: peerMailAddress(this.node.identityPublicKey) }
    // Ordinary recipients are allowed once the account holds an alias on a bridge.
    const bridged = ((await this.aliases?.list()) ?? []).length > 0
    const { id } = await this.dispatch(
      await composeOutgoing(mailbox, from, input, { ordinary: bridged }),
    )
    // Answering a stored message marks it answered, as every mail client does.
    if (input.inReplyTo !== undefined && isMessageId(input.inReplyTo))
      await mailbox.setFlags(input.inReplyTo, { answered: true }).catch(() => {})
    return { id }
  }

  /**
   * Sends a finished RFC 5322 message, as a mail client hands one over by SMTP submission: to
   * `recipients` (the envelope's, Bcc included), after checking that its From is this account's own
   * address or alias. The bytes that leave have From set as {@link send} sets it, no Bcc field, and a
   * Date and Message-ID if they lacked one; everything else is kept as it came. Stored in Sent and
   * queued as {@link send} does.
   */
  async sendRaw(raw: Buffer, recipients: string[]): Promise<{ id: string }> {
    this.assertOpen()
    if (!Buffer.isBuffer(raw)) throw ClientError.INVALID_INPUT('raw must be a Buffer')
    if (!Array.isArray(recipients) || !recipients.every((r) => typeof r === 'string'))
      throw ClientError.INVALID_INPUT('recipients must be a list of addresses')
    const aliases = (await this.aliases?.list()) ?? []
    const from = peerMailAddress(this.node.identityPublicKey)
    return this.dispatch(
      prepareSubmittedMail(raw, {
        recipients,
        from,
        own: [from, ...aliases.map((a) => a.alias)],
        ordinary: aliases.length > 0,
      }),
    )
  }

  // Stores a composed mail in Sent and sends it: to the bridge first for ordinary recipients, then
  // sealed to each peer. Resolves once the Sent copy is stored.
  private async dispatch({ raw, recipients, ordinary }: OutgoingMail): Promise<{ id: string }> {
    const mailbox = this.node.mailbox
    // Checked before anything leaves: the fast path appends to pair logs before the Sent copy is stored.
    if (raw.byteLength > mailbox.maxMessageBytes)
      throw MailboxError.MESSAGE_TOO_LARGE(raw.byteLength, mailbox.maxMessageBytes)
    const self = this.node.identityPublicKey
    const peers = recipients.filter((r) => !r.identity.equals(self))
    const delivery: Record<string, DeliveryState> = {}
    for (const r of recipients)
      delivery[r.address] = r.identity.equals(self) ? 'delivered' : 'queued'
    const rcpt = ordinary.map((r) => r.address.toLowerCase())
    for (const r of rcpt) delivery[r] = 'queued'
    let storedSent = () => {}
    let submitted: QueuedSend['submitted']
    // The legacy copy goes to the bridge first: if it cannot, nothing has left yet. The peers' copies
    // below are sealed to each peer as always; ordinary recipients never downgrade them.
    if (ordinary.length > 0) {
      const envid = this.reports.newEnvelopeId()
      // Before it leaves: the bridge's report can come back before the Sent copy is stored.
      this.reports.storingUntil(envid, new Promise<void>((resolve) => (storedSent = resolve)))
      try {
        const bridge = await this.requireAliases().submit(
          raw,
          ordinary.map((r) => r.address),
          envid,
        )
        submitted = { envid, bridge, rcpt }
      } catch (err) {
        storedSent()
        throw err
      }
    }
    let id: string
    try {
      for (const peer of peers) {
        if (await mailbox.contacts.get(peer.address)) continue
        await mailbox.contacts.put(peer.address)
        this.sync.refreshHello(peer.identity)
      }
      id = await this.sendQueue.submit({
        raw,
        peers: peers.map((p) => p.identity),
        delivery,
        ...(submitted ? { submitted } : {}),
      })
    } finally {
      storedSent()
    }
    return { id }
  }

  // One batch of sends: sealed and appended together, their Sent copies stored in one mailbox batch.
  private async flushSends(items: QueuedSend[]): Promise<(string | Error)[]> {
    const mailbox = this.node.mailbox
    const outcome: (string | Error)[] = []
    await this.sync.send(items, async (changesFor) => {
      const results = await mailbox.addMany(
        items.map((item) => ({
          raw: item.raw,
          folder: 'sent',
          flags: { seen: true },
          delivery: item.delivery,
        })),
        {
          state: (added) =>
            added.flatMap((r, i) => {
              if (!r.ok) return []
              const submitted = items[i]?.submitted
              return [
                ...changesFor(i, r.summary.id),
                // With the Sent copy, so a report always finds the message it is about.
                ...(submitted
                  ? [
                      this.reports.remember(
                        submitted.envid,
                        r.summary.id,
                        submitted.bridge,
                        submitted.rcpt,
                      ),
                    ]
                  : []),
              ]
            }),
        },
      )
      for (const result of results) outcome.push(result.ok ? result.summary.id : result.error)
    })
    return outcome
  }

  /**
   * The account's view of the network now: `online` when the DHT answered, the peers it is connected to
   * and its relays (`connected` while a channel is open), and what still waits to go out.
   */
  async connectivity(): Promise<AccountConnectivity> {
    this.assertOpen()
    const now = this.sync.connectivity()
    return {
      online: now.dht,
      peers: now.peers.map((peer) => encodeAddress(peer)).sort(),
      relays: now.relays.map(({ relay, connected }) => ({
        relay: encodeAddress(relay),
        connected,
      })),
      outgoing: await outgoingSummary(this.node.mailbox),
    }
  }

  /** Delivery state per recipient of a sent mail: queued, relayed, delivered (or failed). */
  async status(id: string): Promise<Record<string, DeliveryState>> {
    this.assertOpen()
    return { ...((await this.node.mailbox.get(id)).delivery ?? {}) }
  }

  /** Accepts a stranger: they become a contact and their mail moves from Requests to the inbox. */
  async acceptRequest(address: string): Promise<number> {
    this.assertOpen()
    const pm1 = barePeerAddress(address)
    const mailbox = this.node.mailbox
    await mailbox.contacts.put(pm1)
    this.sync.refreshHello(requirePeerIdentity(pm1))
    let moved = 0
    let cursor: string | undefined
    do {
      const page = await mailbox.list({
        folder: 'requests',
        limit: 500,
        ...(cursor ? { cursor } : {}),
      })
      for (const item of page.items) {
        if (item.peer !== pm1) continue
        await mailbox.move(item.id, 'inbox')
        moved++
      }
      cursor = page.next
    } while (cursor)
    return moved
  }

  /** Blocks a peer: their connections are refused and their mail is no longer accepted. */
  async block(address: string, blocked = true): Promise<void> {
    this.assertOpen()
    const pm1 = barePeerAddress(address)
    await this.node.mailbox.contacts.block(pm1, blocked)
    await this.node.mailbox.contacts.observeKey(pm1, requirePeerIdentity(pm1).toString('hex'))
    this.sync.setBlocked(requirePeerIdentity(pm1), blocked)
  }

  /**
   * Registers the ordinary address `alias` (`name@domain`) with the bridge at `bridgeAddress` (`pm1…`):
   * mail sent to it over SMTP arrives in this inbox. Throws BRIDGE_INVALID_ALIAS, BRIDGE_ALIAS_REFUSED
   * (taken, wrong domain, too many) or BRIDGE_UNREACHABLE (no answer within `timeoutMs`, default 30 s).
   */
  async addAlias(alias: string, bridgeAddress: string, timeoutMs?: number): Promise<AccountAlias> {
    this.assertOpen()
    return this.requireAliases().add(alias, requirePeerIdentity(bridgeAddress), timeoutMs)
  }

  /** Gives up an alias at its bridge; mail to it is refused from then on. */
  async removeAlias(alias: string, timeoutMs?: number): Promise<void> {
    this.assertOpen()
    await this.requireAliases().remove(alias, timeoutMs)
  }

  /** The aliases this account holds, with their bridges. */
  async listAliases(): Promise<AccountAlias[]> {
    this.assertOpen()
    return this.requireAliases().list()
  }

  private requireAliases(): AccountAliases {
    if (!this.aliases) throw ClientError.OFFLINE()
    return this.aliases
  }

  /** Stops delivery and closes the account. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.node.close()
    return this.closing
  }

  private assertOpen(): void {
    if (this.closing) throw ClientError.CLOSED()
  }
}

/**
 * Opens the account in `home`, creating it on first use, and takes it online. A wrong passphrase throws
 * VAULT_WRONG_PASSPHRASE; another process holding the account throws ALREADY_OPEN.
 */
export async function openAccount(options: OpenAccountOptions): Promise<Account> {
  let phrase: string | undefined
  if (options.create !== false && !(await hasAccount(options.home))) {
    phrase = (
      await createAccount({
        home: options.home,
        passphrase: options.passphrase,
        ...(options.vaultParams ? { vaultParams: options.vaultParams } : {}),
      })
    ).phrase
  }
  const node = await openNode({
    home: options.home,
    passphrase: options.passphrase,
    network: networkOptionsOf(options),
  })
  if (!node.sync) {
    await node.close()
    throw ClientError.OFFLINE()
  }
  // Subscribed before the engine starts, so not even the first mail from a relay goes unannounced.
  const aliases =
    node.aliases &&
    new AccountAliases(node.mailbox, node.sync, node.aliases, node.identityPublicKey, options.now)
  const account = new Account(node, node.sync, phrase, aliases)
  try {
    // Before the engine starts: a bridge's log must be read as a bridge's from its first block.
    await aliases?.load()
    await node.sync.ready()
    await aliases?.connect()
  } catch (err) {
    await account.close()
    throw err
  }
  return account
}

// Everything but the vault's business is the network's.
function networkOptionsOf(options: OpenAccountOptions): NetworkOptions {
  const network: NetworkOptions = { deferStart: true }
  if (options.bootstrap) network.bootstrap = options.bootstrap
  if (options.backoffs) network.backoffs = options.backoffs
  if (options.redialEveryMs !== undefined) network.redialEveryMs = options.redialEveryMs
  if (options.stampDifficulty !== undefined) network.stampDifficulty = options.stampDifficulty
  if (options.maxMessageBytes !== undefined) network.maxMessageBytes = options.maxMessageBytes
  if (options.prekeyPolicy) network.prekeyPolicy = options.prekeyPolicy
  if (options.now) network.now = options.now
  if (options.log) network.log = options.log
  if (options.relays) network.relays = options.relays.map(requirePeerIdentity)
  if (options.relayAfterMs !== undefined) network.relayAfterMs = options.relayAfterMs
  return network
}

function barePeerAddress(address: string): string {
  const identity = peerIdentityOf(address)
  if (!identity) requirePeerIdentity(address)
  return peerMailAddress(identity as Buffer).split('@')[0] as string
}

function mailboxView(mailbox: Mailbox): AccountMailbox {
  return {
    list: async (options) => (await mailbox.list(options)).items,
    page: (options) => mailbox.list(options),
    read: (id) => mailbox.read(id),
    search: async (query, options) => (await mailbox.search(query, options)).items,
    move: (id, folder) => mailbox.move(id, folder),
    flag: (id, flags) => mailbox.setFlags(id, flags),
    trash: (id) => mailbox.trash(id),
    counts: () => mailbox.counts(),
    thread: (threadId) => mailbox.thread(threadId),
    store: mailbox,
  }
}
