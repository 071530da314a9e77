import type Hyperbee from 'hyperbee'
import type { Batch } from 'hyperbee'
import { MailboxError } from './errors.js'
import { newestFirstKey } from './ids.js'
import { isSafeName, key, lastPart, under } from './index-keys.js'
import { BUILTIN_FOLDERS, summaryOf, type MessageRecord, type MessageSummary } from './records.js'
import type { SearchChange } from './search/index.js'
import { metaOf } from './search-log.js'

/** A folder as listed to the user. */
export interface FolderInfo {
  name: string
  builtin: boolean
  total: number
  unread: number
}

type Counts = { total: number; unread: number }
type Reader = { get(k: string): Promise<{ value: unknown } | null> }
const BUILTIN = new Set<string>(BUILTIN_FOLDERS)

/**
 * Folders: the built-in ones plus the user's own, and per-folder counts kept as counters updated inside
 * the same batch as the change that moves them, so unread counts never need a scan.
 */
export class FolderIndex {
  constructor(
    private readonly bee: Hyperbee,
    private readonly write: <T>(
      fn: (batch: Batch<unknown>, changes: SearchChange[]) => Promise<T>,
    ) => Promise<T>,
    private readonly exclusive: <T>(fn: () => Promise<T>) => Promise<T>,
    private readonly assertOpen: () => void,
  ) {}

  /** Built-in folders first (in their usual order), then custom folders by name, with counts. */
  async list(): Promise<FolderInfo[]> {
    this.assertOpen()
    const counts = await this.counts()
    const custom: string[] = []
    for await (const entry of this.bee.createReadStream(under('fdef')))
      custom.push(lastPart(entry.key))
    return [...BUILTIN_FOLDERS, ...custom.sort((a, b) => a.localeCompare(b))].map((name) => ({
      name,
      builtin: BUILTIN.has(name),
      ...(counts[name] ?? { total: 0, unread: 0 }),
    }))
  }

  /** Counts for every folder (built-ins always present). */
  async counts(): Promise<Record<string, Counts>> {
    const counts: Record<string, Counts> = {}
    for (const name of BUILTIN_FOLDERS) counts[name] = { total: 0, unread: 0 }
    for await (const entry of this.bee.createReadStream(under('cnt'))) {
      counts[lastPart(entry.key)] = entry.value as Counts
    }
    return counts
  }

  /** Creates a custom folder. */
  async create(name: string): Promise<FolderInfo> {
    this.checkName(name)
    return this.exclusive(async () => {
      if (await this.existsIn(this.bee, name)) throw MailboxError.FOLDER_EXISTS(name)
      await this.bee.put(key('fdef', name), { createdAt: Date.now() })
      return { name, builtin: false, total: 0, unread: 0 }
    })
  }

  /** Renames a custom folder, moving its messages along in one batch. */
  async rename(from: string, to: string): Promise<void> {
    this.checkName(to)
    if (BUILTIN.has(from)) throw MailboxError.FOLDER_PROTECTED(from)
    await this.write(async (batch, changes) => {
      if (!(await this.existsIn(batch, from))) throw MailboxError.FOLDER_NOT_FOUND(from)
      if (await this.existsIn(batch, to)) throw MailboxError.FOLDER_EXISTS(to)
      await this.moveAll(batch, from, to, changes)
      await batch.put(key('fdef', to), (await batch.get(key('fdef', from)))?.value ?? {})
      await batch.del(key('fdef', from))
    })
  }

  /** Removes a custom folder; its messages go to Trash (and can be restored to Inbox from there). */
  async remove(name: string): Promise<void> {
    if (BUILTIN.has(name)) throw MailboxError.FOLDER_PROTECTED(name)
    await this.write(async (batch, changes) => {
      if (!(await this.existsIn(batch, name))) throw MailboxError.FOLDER_NOT_FOUND(name)
      await this.moveAll(batch, name, 'trash', changes)
      await batch.del(key('fdef', name))
    })
  }

  /** True when the folder exists. */
  async exists(name: string): Promise<boolean> {
    this.assertOpen()
    return this.existsIn(this.bee, name)
  }

  /** FOLDER_NOT_FOUND as a value when the folder does not exist, for batch operations. */
  async checkExists(batch: Batch<unknown>, name: string): Promise<MailboxError | undefined> {
    return (await this.existsIn(batch, name)) ? undefined : MailboxError.FOLDER_NOT_FOUND(name)
  }

  /** Throws INVALID_ARGUMENT unless `name` can name a folder or label. */
  checkName(name: string): void {
    if (typeof name !== 'string' || !isSafeName(name) || name.trim() !== name) {
      throw MailboxError.INVALID_ARGUMENT(
        'folder and label names are 1-200 characters, no control characters or outer spaces',
      )
    }
  }

  /** Adds to a folder's counters inside a batch. */
  async adjustCount(
    batch: Batch<unknown>,
    folder: string,
    total: number,
    unread: number,
  ): Promise<void> {
    const k = key('cnt', folder)
    const current = ((await batch.get(k))?.value as Counts | undefined) ?? { total: 0, unread: 0 }
    await batch.put(k, { total: current.total + total, unread: current.unread + unread })
  }

  private async existsIn(reader: Reader, name: string): Promise<boolean> {
    if (typeof name !== 'string') return false
    return BUILTIN.has(name) || (isSafeName(name) && (await reader.get(key('fdef', name))) !== null)
  }

  // Re-files every message of one folder into another, counts included.
  private async moveAll(
    batch: Batch<unknown>,
    from: string,
    to: string,
    changes: SearchChange[],
  ): Promise<void> {
    const listing: { key: string; value: MessageSummary }[] = []
    for await (const entry of batch.createReadStream(under('fol', from))) {
      listing.push({ key: entry.key, value: entry.value as MessageSummary })
    }
    for (const { key: listingKey, value } of listing) {
      const record = (await batch.get(key('msg', value.id)))?.value as MessageRecord | undefined
      if (!record) continue
      const moved: MessageRecord = { ...record, folder: to }
      if (to === 'trash') moved.trashedFrom = from
      await batch.del(listingKey)
      await batch.put(key('msg', moved.id), moved)
      await batch.put(key('fol', to, newestFirstKey(moved.date, moved.id)), summaryOf(moved))
      await this.adjustCount(batch, from, -1, record.flags.seen ? 0 : -1)
      await this.adjustCount(batch, to, 1, record.flags.seen ? 0 : 1)
      changes.push({ op: 'meta', id: moved.id, meta: metaOf(moved) })
    }
  }
}
