import { encodeAddress } from '../crypto/index.js'
import type { Mailbox } from '../mailbox/index.js'
import type { SyncEngine } from '../sync/index.js'
import { newMessageId } from '../mailbox/ids.js'
import { peerMailAddress, SyncError } from '../sync/index.js'
import { normaliseAlias } from './alias.js'
import { composeSubmission, legacyCopy } from './submission.js'
import type { AliasClient } from './alias-client.js'
import { aliasStatusText } from './alias-client.js'
import { BridgeError } from './errors.js'
import { AliasOp, AliasStatus } from './wire.js'

const PREFIX = 'bridge/my-alias/'

interface MyAlias {
  /** The bridge's identity key, hex. */
  bridge: string
  addedAt: number
}

/** An alias this account holds, and the bridge that holds it for it. */
export interface AccountAlias {
  alias: string
  /** The bridge's `pm1…` address. */
  bridge: string
}

/**
 * The account's aliases on bridges, kept in its encrypted mailbox state. A bridge the account holds an
 * alias with is a mail carrier to the sync engine: its pair log may carry mail from ordinary senders.
 */
export class AccountAliases {
  constructor(
    private readonly mailbox: Mailbox,
    private readonly sync: SyncEngine,
    private readonly client: AliasClient,
    /** The account's identity key. */
    private readonly me: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Hands the legacy copy of `raw` (the peer copy, From `pm1…`) to the bridge of the account's first
   * alias, From that alias, for `recipients` (ordinary addresses, Bcc included), with the envelope id
   * its delivery reports will name. Resolves with the bridge's identity key once it is sealed into the
   * pair log to the bridge; throws NOT_READY when the bridge's keys are not known yet (nothing was sent
   * then).
   */
  async submit(raw: Buffer, recipients: string[], envid?: string): Promise<Buffer> {
    const [first] = await this.records()
    if (!first) throw SyncError.NOT_A_PEER_ADDRESS(recipients[0] ?? '')
    const bridge = Buffer.from(first.bridge, 'hex')
    const submission = await composeSubmission(
      peerMailAddress(this.me),
      peerMailAddress(bridge),
      legacyCopy(raw, first.alias),
      recipients,
      envid,
    )
    // Sealed at once or not at all (as the bridge does inbound): the submission is not kept here, so a
    // queue entry would have nothing to seal later. The id names it in receipt bookkeeping only.
    const unsealed = await this.sync.send(
      [{ raw: submission, peers: [bridge] }],
      async (changesFor) => {
        await this.mailbox.commit({ state: changesFor(0, newMessageId()) })
      },
      { sealNowOnly: true },
    )
    if (unsealed.length > 0) throw BridgeError.NOT_READY('the bridge is not known yet; try again')
    return bridge
  }

  /** Tells the engine which bridges this account uses (call before it starts). */
  async load(): Promise<void> {
    for (const { bridge } of await this.records())
      this.sync.setMailCarrier(Buffer.from(bridge, 'hex'), true)
  }

  /**
   * Keeps a connection to every bridge this account holds an alias with (call once the engine runs), as a
   * mail client stays connected to its server: mail the bridge accepted while the account was away
   * flows as soon as it is back, instead of when the bridge next redials (up to `redialEveryMs`).
   */
  async connect(): Promise<void> {
    for (const bridge of new Set((await this.records()).map((r) => r.bridge)))
      this.sync.dial(Buffer.from(bridge, 'hex'))
  }

  /** Registers `alias` with `bridge`; throws INVALID_ALIAS, ALIAS_REFUSED or UNREACHABLE. */
  async add(alias: string, bridge: Buffer, timeoutMs?: number): Promise<AccountAlias> {
    const canonical = normaliseAlias(alias)
    // Trusted before the request: the bridge may deliver mail for the alias the moment it says yes.
    this.sync.setMailCarrier(bridge, true)
    const status = await this.client
      .request(bridge, AliasOp.ADD, canonical, timeoutMs)
      .catch(async (err: unknown) => {
        await this.untrustUnused(bridge)
        throw err
      })
    if (status !== AliasStatus.OK) {
      await this.untrustUnused(bridge)
      throw BridgeError.ALIAS_REFUSED(canonical, aliasStatusText(status))
    }
    const record: MyAlias = { bridge: bridge.toString('hex'), addedAt: this.now() }
    await this.mailbox.commit({ state: [{ name: PREFIX + canonical, value: record }] })
    return { alias: canonical, bridge: encodeAddress(bridge) }
  }

  /** Gives up `alias` at its bridge and forgets it here; an alias not held is INVALID_ALIAS. */
  async remove(alias: string, timeoutMs?: number): Promise<void> {
    const canonical = normaliseAlias(alias)
    const record = (await this.mailbox.state.get(PREFIX + canonical)) as MyAlias | undefined
    if (!record) throw BridgeError.INVALID_ALIAS(alias, 'this account does not hold it')
    const bridge = Buffer.from(record.bridge, 'hex')
    const status = await this.client.request(bridge, AliasOp.REMOVE, canonical, timeoutMs)
    // NOT_YOURS: the bridge no longer counts it as ours either; forgetting it is right.
    if (status !== AliasStatus.OK && status !== AliasStatus.NOT_YOURS)
      throw BridgeError.ALIAS_REFUSED(canonical, aliasStatusText(status))
    await this.mailbox.commit({ state: [{ name: PREFIX + canonical, value: null }] })
    await this.untrustUnused(bridge)
  }

  async list(): Promise<AccountAlias[]> {
    return (await this.records()).map(({ alias, bridge }) => ({
      alias,
      bridge: encodeAddress(Buffer.from(bridge, 'hex')),
    }))
  }

  private async records(): Promise<{ alias: string; bridge: string }[]> {
    return (await this.mailbox.state.list(PREFIX)).map(({ name, value }) => ({
      alias: name.slice(PREFIX.length),
      bridge: (value as MyAlias).bridge,
    }))
  }

  // A bridge stays a carrier while the account holds any alias with it.
  private async untrustUnused(bridge: Buffer): Promise<void> {
    const hex = bridge.toString('hex')
    if (!(await this.records()).some((r) => r.bridge === hex)) {
      this.sync.setMailCarrier(bridge, false)
      this.sync.undial(bridge)
    }
  }
}
