import type { Mailbox } from '../mailbox/index.js'
import { AliasStatus } from './wire.js'

/** Aliases one account may hold on a bridge (more is abuse of a shared domain). */
export const MAX_ALIASES_PER_ACCOUNT = 32

const PREFIX = 'bridge/alias/'

interface AliasRecord {
  /** The account's identity key, hex. */
  account: string
  addedAt: number
}

/**
 * The bridge's alias → account table, kept in the bridge's own encrypted mailbox state, with a copy in
 * memory: `RCPT TO` looks an alias up on every recipient, and the table is small (tens per account).
 */
export class AliasRegistry {
  private readonly aliases = new Map<string, AliasRecord>()

  private constructor(
    private readonly mailbox: Mailbox,
    private readonly now: () => number,
  ) {}

  static async open(mailbox: Mailbox, now: () => number = Date.now): Promise<AliasRegistry> {
    const registry = new AliasRegistry(mailbox, now)
    for (const { name, value } of await mailbox.state.list(PREFIX))
      registry.aliases.set(name.slice(PREFIX.length), value as AliasRecord)
    return registry
  }

  /** The account (identity key) an alias delivers to. `alias` must be canonical. */
  lookup(alias: string): Buffer | undefined {
    const record = this.aliases.get(alias)
    return record ? Buffer.from(record.account, 'hex') : undefined
  }

  /** True when `account` holds at least one alias here (it may send through the bridge). */
  holdsAny(account: Buffer): boolean {
    const hex = account.toString('hex')
    for (const record of this.aliases.values()) if (record.account === hex) return true
    return false
  }

  /** Every alias with its account, in alias order. */
  list(): { alias: string; account: Buffer }[] {
    return [...this.aliases.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([alias, r]) => ({ alias, account: Buffer.from(r.account, 'hex') }))
  }

  /** Gives `alias` to `account` (again is fine); TAKEN if another account holds it. */
  async add(alias: string, account: Buffer): Promise<AliasStatus> {
    const hex = account.toString('hex')
    const held = this.aliases.get(alias)
    if (held) return held.account === hex ? AliasStatus.OK : AliasStatus.TAKEN
    let count = 0
    for (const record of this.aliases.values()) if (record.account === hex) count++
    if (count >= MAX_ALIASES_PER_ACCOUNT) return AliasStatus.TOO_MANY
    const record: AliasRecord = { account: hex, addedAt: this.now() }
    await this.mailbox.commit({ state: [{ name: PREFIX + alias, value: record }] })
    this.aliases.set(alias, record)
    return AliasStatus.OK
  }

  /** Takes `alias` from `account`; removing one it never held is NOT_YOURS (already gone is OK). */
  async remove(alias: string, account: Buffer): Promise<AliasStatus> {
    const held = this.aliases.get(alias)
    if (!held) return AliasStatus.OK
    if (held.account !== account.toString('hex')) return AliasStatus.NOT_YOURS
    await this.mailbox.commit({ state: [{ name: PREFIX + alias, value: null }] })
    this.aliases.delete(alias)
    return AliasStatus.OK
  }
}
