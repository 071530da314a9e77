import { isDeepStrictEqual } from 'node:util'
import Hyperbee, { type Batch, type Range } from 'hyperbee'
import Rache from 'rache'
import type Corestore from 'corestore'
import sodium from 'sodium-native'
import { deriveSubkey } from '../crypto/index.js'
import { inBatch } from './batch.js'
import { BlobStore } from './blob-store.js'
import { MailboxError } from './errors.js'
import { Contacts } from './contacts.js'
import { FolderIndex } from './folders.js'
import { checkFormat } from './format.js'
import { checkIndex, type IntegrityReport } from './integrity.js'
import { newMessageId, isMessageId } from './ids.js'
import { key, under } from './index-keys.js'
import { LiveReads } from './live-reads.js'
import type { MimeParser, ParsedAttachment, ParsedMessage } from './mime/index.js'
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  derivedEntries,
  snippetOf,
  summaryOf,
  type DeliveryState,
  type Flags,
  type MessageRecord,
  type MessageSummary,
} from './records.js'
import { parseQuery, type SearchChange } from './search/index.js'
import { addChange, metaOf, SearchLog } from './search-log.js'
import { MailboxState, stageState, type StateChange } from './state.js'
import { resolveThread } from './threading.js'

/** What the mailbox is built from; the caller owns and closes these. */
export interface MailboxComponents {
  /** A Corestore (or namespace of one) dedicated to this mailbox. */
  store: Corestore
  /** The guarded MIME parser (worker thread, time and heap limits). */
  parser: MimeParser
}

export interface MailboxOptions {
  /** The account's storage key (docs/protocol.md §2); every byte on disk is encrypted under keys from it. */
  storageKey: Buffer
  /** Largest raw message accepted, in bytes. Default 50 MB. */
  maxMessageBytes?: number
  /** Clock, injectable for tests. */
  now?: () => number
  /** Search changes logged before the index is snapshotted (default 2,000; tests use small values). */
  searchSnapshotEvery?: number
}

/** A message to store: its raw RFC 5322 bytes and where it goes. */
export interface AddMessageInput {
  raw: Buffer
  folder?: string
  flags?: Partial<Flags>
  labels?: string[]
  receivedAt?: number
  /** The sender as the transport proved it (a `pm1…` address); see {@link MessageSummary.peer}. */
  peer?: string
  /** Initial delivery state per recipient, for outbound mail. */
  delivery?: Record<string, DeliveryState>
  /**
   * The one address the From header must hold, checked on the same parse that is stored and shown (so
   * no second parser can read a different From); refused with FROM_MISMATCH otherwise.
   */
  expectFrom?: string
}

/** One recipient's delivery state for an outbound message. */
export interface DeliveryUpdate {
  id: string
  recipient: string
  state: DeliveryState
}

export interface AddManyOptions {
  /** State changes to write in the same batch as the messages, computed from the results. */
  state?: (results: AddResult[]) => StateChange[]
  /**
   * A write this one must follow: the messages are parsed meanwhile, but nothing is written until it
   * has settled, and nothing at all if it failed (it rejects this call with its error).
   */
  after?: Promise<unknown>
}

/** Outcome of storing one message of a batch: stored (or found already stored), or refused. */
export type AddResult =
  { ok: true; summary: MessageSummary; duplicate: boolean } | { ok: false; error: MailboxError }

/** A message as the reading pane needs it. */
export interface ReadMessage extends MessageSummary {
  messageId?: string
  inReplyTo?: string
  references: string[]
  bcc: MessageRecord['bcc']
  text?: string
  html?: string
  attachments: ParsedAttachment[]
}

export interface ListOptions {
  folder: string
  /** Only unread messages. */
  unread?: boolean
  /** Page size, 1..500; default 50. */
  limit?: number
  /** The `next` cursor of the previous page. */
  cursor?: string
}

const DELIVERY_ORDER: Record<DeliveryState, number> = {
  queued: 0,
  relayed: 1,
  failed: 1,
  delivered: 2,
}
const NO_FLAGS: Flags = { seen: false, flagged: false, answered: false }

/**
 * Decoded index keys and tree nodes Hyperbee keeps in memory for the mailbox index (its default is 65,536,
 * per tree and per snapshot). On the 100,000-message benchmark this many keeps searches as fast as the
 * default while a bulk import holds ~130 MB less; 8,192 made searches about twice as slow.
 */
const INDEX_NODE_CACHE = 16_384

/**
 * The user's mail on their own disk: raw messages in an encrypted blob log, and an encrypted Hyperbee
 * index of folders, flags, labels, threads and counts, all changed together in one batch per operation so
 * the index never disagrees with itself. Knows nothing of the network.
 */
export class Mailbox {
  readonly folders: FolderIndex
  readonly contacts: Contacts
  /** Named values the layers above keep beside the mail, changed atomically with it. */
  readonly state: MailboxState
  private readonly bee: Hyperbee
  /** Point reads and short scans without a snapshot session each (see live-reads.ts). */
  private readonly liveReads: LiveReads
  private readonly blobs: BlobStore
  private readonly searchLog: SearchLog
  private readonly parser: MimeParser
  /** Largest raw message this mailbox stores, in bytes. */
  readonly maxMessageBytes: number
  private readonly now: () => number
  private writing: Promise<unknown> = Promise.resolve()
  private opening: Promise<void> | null = null
  private closing: Promise<void> | null = null
  /**
   * The snapshot searches read their records from, kept while the mailbox does not change. A fresh read on
   * the live bee decodes the tree's nodes afresh; one snapshot keeps them decoded between searches, which on
   * the 100,000-message benchmark is tens of MB less garbage per run of queries (peak RSS).
   */
  private searchView: SearchView | null = null

  constructor(components: MailboxComponents, options: MailboxOptions) {
    const { store, parser } = components
    const indexKey = deriveSubkey(options.storageKey, 'PMMBXIDX')
    const blobKey = deriveSubkey(options.storageKey, 'PMMBXBLB')
    const core = store.get({
      name: 'mailbox-index',
      encryption: { key: indexKey },
      globalCache: new Rache({ maxSize: INDEX_NODE_CACHE }),
    })
    this.bee = new Hyperbee(core, {
      keyEncoding: 'utf-8',
      valueEncoding: 'json',
    })
    this.liveReads = new LiveReads(this.bee)
    this.blobs = new BlobStore(store.get({ name: 'mailbox-blobs' }), blobKey)
    this.parser = parser
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    this.now = options.now ?? Date.now
    this.searchLog = new SearchLog(this.bee, this.blobs, options.searchSnapshotEvery)
    const exclusive = <T>(fn: () => Promise<T>) => this.exclusive(fn)
    const assertOpen = () => {
      this.assertOpen()
    }
    this.folders = new FolderIndex(this.bee, (fn) => this.write(fn), exclusive, assertOpen)
    this.contacts = new Contacts(this.bee, exclusive, assertOpen, this.now, this.liveReads)
    this.state = new MailboxState(this.liveReads, assertOpen)
  }

  /** Opens the index and checks the storage key. Idempotent. */
  ready(): Promise<void> {
    this.opening ??= (async () => {
      await this.blobs.ready()
      await this.bee.ready()
      await this.searchLog.load()
      // After the load, which is what notices a wrong storage key.
      await checkFormat(this.bee)
    })()
    return this.opening
  }

  /** Waits for pending writes, then closes the mailbox's cores. Idempotent; the store stays open. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.opening?.catch(() => {})
      await this.writing.catch(() => {})
      if (this.searchView) await this.searchView.bee.close()
      await this.bee.close()
      await this.blobs.close()
    })()
    return this.closing
  }

  /** Stores one message; throws its error if refused. Storing the same bytes twice returns the first. */
  async add(input: AddMessageInput): Promise<MessageSummary> {
    const [result] = await this.addMany([input])
    if (!result) throw MailboxError.INVALID_ARGUMENT('nothing to add')
    if (!result.ok) throw result.error
    return result.summary
  }

  /**
   * Stores many messages with one blob append and one index batch (the stack's cost is per write, not per
   * byte). A message that is refused (too large, bad folder) does not stop the others.
   */
  async addMany(inputs: AddMessageInput[], options: AddManyOptions = {}): Promise<AddResult[]> {
    this.assertOpen()
    // Observed at once: it may fail while the messages are parsed; it is awaited (and thrown) below.
    options.after?.catch(() => {})
    const prepared = await this.prepareAll(inputs)
    await options.after
    return this.write(async (batch, changes) => {
      this.assertOpen()
      const results: AddResult[] = []
      const fresh: {
        index: number
        raw: Buffer
        parsed: ParsedMessage
        input: AddMessageInput
        hash: string
      }[] = []
      const hashes = new Map<string, number>()
      for (const [index, item] of prepared.entries()) {
        if ('error' in item) {
          results[index] = { ok: false, error: item.error }
          continue
        }
        const folderError = await this.folders.checkExists(batch, item.input.folder ?? 'inbox')
        if (folderError) {
          results[index] = { ok: false, error: folderError }
          continue
        }
        const existing = (await batch.get(key('hash', item.hash)))?.value
        if (typeof existing === 'string' || hashes.has(item.hash)) continue
        hashes.set(item.hash, index)
        fresh.push({ index, ...item })
      }
      const refs = await this.blobs.putMany(fresh.map((f) => f.raw))
      // Counters move once per folder per batch, not once per message (a read and a write each).
      const counts = new Map<string, { total: number; unread: number }>()
      for (const [i, f] of fresh.entries()) {
        const ref = refs[i]
        if (!ref) throw MailboxError.CORRUPT('the blob log returned fewer positions than blobs')
        const record = this.recordOf(f.input, f.parsed, f.raw, f.hash, ref)
        const { threadId, merged } = await resolveThread(batch, {
          id: record.id,
          messageId: record.messageId,
          inReplyTo: record.inReplyTo,
          references: record.references,
          subject: record.subject,
          date: record.date,
        })
        record.threadId = threadId
        for (const other of merged) await this.rethread(batch, other, threadId)
        await this.insert(batch, record, counts)
        await batch.put(key('hash', f.hash), record.id)
        changes.push(addChange(record, f.parsed))
        results[f.index] = { ok: true, summary: summaryOf(record), duplicate: false }
      }
      for (const [folder, { total, unread }] of counts)
        await this.folders.adjustCount(batch, folder, total, unread)
      // Duplicates (already stored, or twice in this batch) answer with the stored message.
      for (const [index, item] of prepared.entries()) {
        if (results[index] || 'error' in item) continue
        const id = (await batch.get(key('hash', item.hash)))?.value
        const record = typeof id === 'string' ? await this.recordIn(batch, id) : undefined
        results[index] = record
          ? { ok: true, summary: summaryOf(record), duplicate: true }
          : { ok: false, error: MailboxError.CORRUPT('duplicate index entry points nowhere') }
      }
      if (options.state) await stageState(batch, options.state(results))
      return results
    })
  }

  /** A page of a folder, newest first. */
  async list(options: ListOptions): Promise<{ items: MessageSummary[]; next?: string }> {
    this.assertOpen()
    const limit = options.limit ?? 50
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw MailboxError.INVALID_ARGUMENT('limit must be 1..500')
    }
    if (!(await this.folders.exists(options.folder)))
      throw MailboxError.FOLDER_NOT_FOUND(options.folder)
    // A limit on the stream matters: without one Hyperbee's iterator reads far ahead of what is used.
    const range: Range = { ...under('fol', options.folder), ...(options.unread ? {} : { limit }) }
    if (options.cursor !== undefined) {
      if (typeof options.cursor !== 'string' || !/^\d{13}[0-9a-z]{26}$/.test(options.cursor)) {
        throw MailboxError.INVALID_ARGUMENT('cursor')
      }
      range.gt = key('fol', options.folder, options.cursor)
    }
    const items: MessageSummary[] = []
    let next: string | undefined
    for await (const entry of this.bee.createReadStream(range)) {
      const summary = entry.value as MessageSummary
      if (options.unread && summary.flags.seen) continue
      items.push(summary)
      if (items.length === limit) {
        next = entry.key.slice(entry.key.lastIndexOf('\x00') + 1)
        break
      }
    }
    return next === undefined ? { items } : { items, next }
  }

  /** The stored metadata of one message. */
  async get(id: string): Promise<MessageRecord> {
    this.assertOpen()
    const record = isMessageId(id)
      ? await this.liveReads.read((index) => this.recordIn(index, id))
      : undefined
    if (!record) throw MailboxError.MESSAGE_NOT_FOUND(id)
    return record
  }

  /** The raw RFC 5322 bytes exactly as received or imported. */
  async raw(id: string): Promise<Buffer> {
    return this.blobs.get((await this.get(id)).blob)
  }

  /** A message with its body and attachments, parsed behind the guarded parser. */
  async read(id: string): Promise<ReadMessage> {
    const record = await this.get(id)
    const parsed = await this.parser.parse(await this.blobs.get(record.blob))
    const message: ReadMessage = {
      ...summaryOf(record),
      references: record.references,
      bcc: record.bcc,
      attachments: parsed.attachments,
    }
    if (record.messageId !== undefined) message.messageId = record.messageId
    if (record.inReplyTo !== undefined) message.inReplyTo = record.inReplyTo
    if (parsed.text !== undefined) message.text = parsed.text
    if (parsed.html !== undefined) message.html = parsed.html
    return message
  }

  /** Unread and total counts per folder, kept up to date with every change (no scan). */
  async counts(): Promise<Record<string, { total: number; unread: number }>> {
    this.assertOpen()
    return this.folders.counts()
  }

  /** Sets or clears flags. */
  async setFlags(id: string, flags: Partial<Flags>): Promise<MessageSummary> {
    return this.update(id, (record) => {
      for (const name of ['seen', 'flagged', 'answered'] as const) {
        const value = flags[name]
        if (value !== undefined) record.flags[name] = value
      }
    })
  }

  /** Adds and removes labels. */
  async label(id: string, changes: { add?: string[]; remove?: string[] }): Promise<MessageSummary> {
    for (const name of [...(changes.add ?? []), ...(changes.remove ?? [])])
      this.folders.checkName(name)
    return this.update(id, (record) => {
      const labels = new Set(record.labels)
      for (const name of changes.add ?? []) labels.add(name)
      for (const name of changes.remove ?? []) labels.delete(name)
      record.labels = [...labels].sort()
    })
  }

  /** Moves a message to another folder. Moving to Trash remembers where it came from. */
  async move(id: string, folder: string): Promise<MessageSummary> {
    if (!(await this.folders.exists(folder))) throw MailboxError.FOLDER_NOT_FOUND(folder)
    return this.update(id, (record) => {
      if (folder === record.folder) return
      if (folder === 'trash') record.trashedFrom = record.folder
      else delete record.trashedFrom
      record.folder = folder
    })
  }

  /** Moves a message to Trash (reversible with {@link restore}). */
  trash(id: string): Promise<MessageSummary> {
    return this.move(id, 'trash')
  }

  /** Moves a trashed message back where it came from (Inbox if that folder is gone). */
  async restore(id: string): Promise<MessageSummary> {
    const record = await this.get(id)
    const target =
      record.trashedFrom && (await this.folders.exists(record.trashedFrom))
        ? record.trashedFrom
        : 'inbox'
    return this.move(id, target)
  }

  /** Copies a message into another folder as a new message with its own id. */
  async copy(id: string, folder: string): Promise<MessageSummary> {
    if (!(await this.folders.exists(folder))) throw MailboxError.FOLDER_NOT_FOUND(folder)
    const source = await this.get(id)
    const raw = await this.blobs.get(source.blob)
    const parsed = await this.parser.parse(raw)
    return this.write(async (batch, changes) => {
      const [blob] = await this.blobs.putMany([raw])
      if (!blob) throw MailboxError.CORRUPT('the blob log returned no position')
      const copy: MessageRecord = {
        ...structuredClone(source),
        id: newMessageId(this.now()),
        folder,
        blob,
      }
      delete copy.trashedFrom
      await this.insert(batch, copy)
      changes.push(addChange(copy, parsed))
      return summaryOf(copy)
    })
  }

  /**
   * Deletes messages for good: index entries removed, their stored blocks erased from disk, and the search
   * index rewritten without them, so nothing of them is left in any block. Pass many ids at once (emptying
   * Trash): the rewrite happens once per call. `rewriteIndex: false` skips that rewrite (their words then
   * leave the search index at its next scheduled snapshot); only superseded drafts use it.
   */
  async deleteForever(
    ids: string | string[],
    options: { rewriteIndex?: boolean } = {},
  ): Promise<void> {
    const list = typeof ids === 'string' ? [ids] : ids
    this.assertOpen()
    for (const id of list) if (!isMessageId(id)) throw MailboxError.MESSAGE_NOT_FOUND(id)
    const removed = await this.write(async (batch, changes) => {
      const records: MessageRecord[] = []
      for (const id of new Set(list)) {
        const record = await this.recordIn(batch, id)
        if (!record) throw MailboxError.MESSAGE_NOT_FOUND(id)
        await this.remove(batch, record)
        const hashOwner = (await batch.get(key('hash', record.rawHash)))?.value
        if (hashOwner === record.id) await batch.del(key('hash', record.rawHash))
        changes.push({ op: 'remove', id })
        records.push(record)
      }
      return records
    })
    await this.exclusive(async () => {
      for (const record of removed) await this.blobs.clear(record.blob)
      // The search log and snapshot still hold the words of what was deleted: fold them away, then erase
      // every index block no longer reachable from the current tree (old entries, old log records).
      // Superseded drafts skip this: autosave would otherwise rewrite the whole snapshot every few seconds.
      if (options.rewriteIndex === false) return
      await this.searchLog.snapshot()
      await this.liveReads.whileClearing(() => this.bee.clearUnlinked())
    })
  }

  /** Runs a search in the mailbox's query language (see search/query.ts); best matches first. */
  async search(
    query: string,
    options: { limit?: number; offset?: number } = {},
  ): Promise<{ items: MessageSummary[]; total: number }> {
    this.assertOpen()
    const parsed = parseQuery(query, { now: this.now(), implicitPrefix: false })
    const { ids, total } = this.searchLog.engine.search(parsed, options)
    const view = this.enterSearchView()
    let records: (MessageRecord | undefined)[]
    try {
      // Fetched concurrently: cold, one Hyperbee get is a few ms, and the storage layer batches parallel reads.
      records = await Promise.all(ids.map((id) => this.recordIn(view.bee, id)))
    } finally {
      await this.leaveSearchView(view)
    }
    const items = records.filter((r): r is MessageRecord => r !== undefined).map(summaryOf)
    return { items, total }
  }

  /** Checks that every derived index entry agrees with the message records (an `fsck`). */
  async check(): Promise<IntegrityReport> {
    this.assertOpen()
    return checkIndex(this.bee, this.blobs)
  }

  /** Every message of a conversation, oldest first. */
  async thread(threadId: string): Promise<MessageSummary[]> {
    this.assertOpen()
    const ids: string[] = []
    const range = { ...under('thr', threadId), reverse: true }
    for await (const entry of this.bee.createReadStream(range)) ids.push(entry.value as string)
    const records = await Promise.all(ids.map((id) => this.recordIn(this.bee, id)))
    return records.filter((r): r is MessageRecord => r !== undefined).map(summaryOf)
  }

  /** Saves a draft (raw MIME) in Drafts, replacing an earlier version of it when `replaces` is given. */
  async saveDraft(raw: Buffer, options: { replaces?: string } = {}): Promise<MessageSummary> {
    if (options.replaces !== undefined) {
      const old = await this.get(options.replaces)
      if (old.folder !== 'drafts') throw MailboxError.INVALID_ARGUMENT('replaces must name a draft')
    }
    const summary = await this.add({ raw, folder: 'drafts', flags: { seen: true } })
    if (options.replaces !== undefined && options.replaces !== summary.id) {
      await this.deleteForever(options.replaces, { rewriteIndex: false })
    }
    return summary
  }

  /** Records an outbound message's delivery state for one recipient. States only move forward. */
  async setDelivery(id: string, recipient: string, state: DeliveryState): Promise<MessageSummary> {
    checkDelivery({ id, recipient, state })
    return this.update(id, (record) => {
      advanceDelivery(record, recipient, state)
    })
  }

  /**
   * Applies state changes and delivery updates in one batch, so what the layers above remember (a
   * receipt processed) cannot disagree with what the mailbox shows (the message delivered). Updates for
   * messages that no longer exist (deleted for good) are skipped.
   */
  async commit(changes: { state?: StateChange[]; deliveries?: DeliveryUpdate[] }): Promise<void> {
    this.assertOpen()
    const deliveries = changes.deliveries ?? []
    for (const update of deliveries) checkDelivery(update)
    await this.write(async (batch, searchChanges) => {
      const byId = new Map<string, DeliveryUpdate[]>()
      for (const update of deliveries) byId.set(update.id, [...(byId.get(update.id) ?? []), update])
      for (const [id, updates] of byId) {
        const before = await this.recordIn(batch, id)
        if (!before) continue
        const after = structuredClone(before)
        for (const update of updates) advanceDelivery(after, update.recipient, update.state)
        if (isDeepStrictEqual(after.delivery, before.delivery)) continue // states only move forward
        await this.replace(batch, before, after)
        const meta = metaOf(after)
        if (!isDeepStrictEqual(meta, metaOf(before))) searchChanges.push({ op: 'meta', id, meta })
      }
      await stageState(batch, changes.state ?? [])
    })
  }

  // Checks and parses every input: the parser gets them all at once (few round trips to its worker).
  private async prepareAll(inputs: AddMessageInput[]): Promise<Prepared[]> {
    const refusals = inputs.map((input) => this.refusalOf(input))
    const parsable = inputs.filter((_, i) => refusals[i] === undefined).map((input) => input.raw)
    const parsed = await this.parser.parseMany(parsable)
    let next = 0
    return inputs.map((input, i) => {
      const refusal = refusals[i]
      if (refusal) return { error: refusal }
      const message = parsed[next++]
      if (!message) return { error: MailboxError.CORRUPT('the parser returned fewer messages') }
      return this.prepared(input, message)
    })
  }

  private refusalOf(input: AddMessageInput): MailboxError | undefined {
    if (!Buffer.isBuffer(input.raw)) return MailboxError.INVALID_ARGUMENT('raw must be a Buffer')
    if (input.raw.byteLength > this.maxMessageBytes)
      return MailboxError.MESSAGE_TOO_LARGE(input.raw.byteLength, this.maxMessageBytes)
    if (input.raw.byteLength === 0) return MailboxError.INVALID_ARGUMENT('empty message')
    return undefined
  }

  private prepared(input: AddMessageInput, parsed: ParsedMessage): Prepared {
    const hash = Buffer.alloc(32)
    sodium.crypto_generichash(hash, input.raw)
    if (input.expectFrom !== undefined) {
      const [from, ...others] = parsed.from
      if (others.length > 0 || from?.address.toLowerCase() !== input.expectFrom.toLowerCase())
        return { error: MailboxError.FROM_MISMATCH(input.expectFrom) }
    }
    return { raw: input.raw, parsed, input, hash: hash.toString('hex') }
  }

  private recordOf(
    input: AddMessageInput,
    parsed: ParsedMessage,
    raw: Buffer,
    rawHash: string,
    blob: MessageRecord['blob'],
  ): MessageRecord {
    const receivedAt = input.receivedAt ?? this.now()
    const id = newMessageId(receivedAt)
    const date = parsed.date
    const sane = date !== undefined && date > 0 && date < this.now() + 24 * 3600 * 1000
    const record: MessageRecord = {
      id,
      folder: input.folder ?? 'inbox',
      threadId: id,
      date: sane ? date : receivedAt,
      from: parsed.from,
      to: parsed.to,
      cc: parsed.cc,
      bcc: parsed.bcc,
      subject: parsed.subject,
      snippet: snippetOf(parsed.text),
      flags: { ...NO_FLAGS, ...input.flags },
      labels: [...new Set(input.labels ?? [])].sort(),
      hasAttachments: parsed.attachments.some((a) => !a.inline),
      attachmentNames: parsed.attachments.map((a) => a.filename).filter((n): n is string => !!n),
      size: raw.byteLength,
      references: parsed.references,
      receivedAt,
      rawHash,
      blob,
    }
    if (parsed.messageId) record.messageId = parsed.messageId
    if (parsed.inReplyTo) record.inReplyTo = parsed.inReplyTo
    if (parsed.parseError) record.parseError = parsed.parseError
    if (input.peer !== undefined) record.peer = input.peer
    if (input.delivery !== undefined) {
      const delivery: Record<string, DeliveryState> = {}
      for (const [recipient, state] of Object.entries(input.delivery)) {
        checkDelivery({ id, recipient, state })
        delivery[recipient] = state
      }
      record.delivery = delivery
    }
    return record
  }

  // Writes every index entry of a record (its listing, counts, labels, thread membership). With `counts`,
  // the folder counter change is added there for the caller to write once for a whole batch.
  private async insert(
    batch: Batch<unknown>,
    record: MessageRecord,
    counts?: Map<string, { total: number; unread: number }>,
  ): Promise<void> {
    await batch.put(key('msg', record.id), record)
    for (const [k, value] of derivedEntries(record)) await batch.put(k, value)
    const unread = record.flags.seen ? 0 : 1
    if (!counts) return this.folders.adjustCount(batch, record.folder, 1, unread)
    const sum = counts.get(record.folder) ?? { total: 0, unread: 0 }
    counts.set(record.folder, { total: sum.total + 1, unread: sum.unread + unread })
  }

  // Removes every index entry written by insert().
  private async remove(batch: Batch<unknown>, record: MessageRecord): Promise<void> {
    await batch.del(key('msg', record.id))
    for (const [k] of derivedEntries(record)) await batch.del(k)
    await this.folders.adjustCount(batch, record.folder, -1, record.flags.seen ? 0 : -1)
  }

  // Rewrites a changed record: only the index entries whose key or value changed are written (a delivery
  // state touches the record and its listing, not its thread or label entries), and the counters only
  // when its folder or seen flag moved. The same result as remove() then insert(), with fewer writes.
  private async replace(
    batch: Batch<unknown>,
    before: MessageRecord,
    after: MessageRecord,
  ): Promise<void> {
    const old = new Map(derivedEntries(before))
    const next = new Map(derivedEntries(after))
    for (const k of old.keys()) if (!next.has(k)) await batch.del(k)
    if (before.id !== after.id) await batch.del(key('msg', before.id))
    await batch.put(key('msg', after.id), after)
    for (const [k, value] of next)
      if (!old.has(k) || !isDeepStrictEqual(old.get(k), value)) await batch.put(k, value)
    if (before.folder === after.folder && before.flags.seen === after.flags.seen) return
    await this.folders.adjustCount(batch, before.folder, -1, before.flags.seen ? 0 : -1)
    await this.folders.adjustCount(batch, after.folder, 1, after.flags.seen ? 0 : 1)
  }

  // Read-modify-write of one record under the write lock; every derived entry follows in the same batch.
  private async update(
    id: string,
    change: (record: MessageRecord) => void,
  ): Promise<MessageSummary> {
    this.assertOpen()
    if (!isMessageId(id)) throw MailboxError.MESSAGE_NOT_FOUND(id)
    return this.write(async (batch, changes) => {
      const before = await this.recordIn(batch, id)
      if (!before) throw MailboxError.MESSAGE_NOT_FOUND(id)
      const after = structuredClone(before)
      change(after)
      await this.replace(batch, before, after)
      const meta = metaOf(after)
      if (!isDeepStrictEqual(meta, metaOf(before))) changes.push({ op: 'meta', id, meta })
      return summaryOf(after)
    })
  }

  /**
   * One write: under the lock, in one batch, with the search changes it causes staged in the same batch
   * and applied to the in-memory index only once the batch is on disk.
   */
  private write<T>(fn: (batch: Batch<unknown>, changes: SearchChange[]) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const changes: SearchChange[] = []
      const result = await inBatch(this.bee, async (batch) => {
        const value = await fn(batch, changes)
        await this.searchLog.stage(batch, changes)
        return value
      })
      this.searchLog.commit(changes)
      if (this.searchLog.wantsSnapshot) await this.searchLog.snapshot()
      return result
    })
  }

  // Moves every member of thread `from` into thread `to` (a message linked two conversations).
  private async rethread(batch: Batch<unknown>, from: string, to: string): Promise<void> {
    const ids: string[] = []
    for await (const entry of batch.createReadStream(under('thr', from)))
      ids.push(entry.value as string)
    for (const id of ids) {
      const record = await this.recordIn(batch, id)
      if (!record) continue
      await this.replace(batch, record, { ...record, threadId: to })
    }
  }

  /** {@link searchView}, renewed when the mailbox has changed since it was taken; counted as in use. */
  private enterSearchView(): SearchView {
    const version = this.bee.version
    let view = this.searchView
    if (view?.version !== version) {
      if (view && view.readers === 0) void view.bee.close().catch(() => {})
      view = { version, bee: this.bee.snapshot(), readers: 0 }
      this.searchView = view
    }
    view.readers++
    return view
  }

  /** Ends a search's use of a view; a view that was replaced meanwhile closes with its last reader. */
  private async leaveSearchView(view: SearchView): Promise<void> {
    view.readers--
    if (view.readers === 0 && view !== this.searchView) await view.bee.close()
  }

  private async recordIn(
    source: { get(k: string): Promise<{ value: unknown } | null> },
    id: string,
  ): Promise<MessageRecord | undefined> {
    return (await source.get(key('msg', id)))?.value as MessageRecord | undefined
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writing.then(fn, fn)
    this.writing = run.catch(() => {})
    return run
  }

  private assertOpen(): void {
    if (this.closing) throw MailboxError.CLOSED()
  }
}

/** An input checked and parsed for storing, or the reason it is refused. */
type Prepared =
  | { error: MailboxError }
  | { raw: Buffer; parsed: ParsedMessage; input: AddMessageInput; hash: string }

/** A snapshot of the index that searches read records from, and how many searches are reading it. */
interface SearchView {
  readonly version: number
  readonly bee: Hyperbee
  readers: number
}

function checkDelivery(update: DeliveryUpdate): void {
  if (!(update.state in DELIVERY_ORDER))
    throw MailboxError.INVALID_ARGUMENT(`delivery state ${update.state}`)
  if (
    typeof update.recipient !== 'string' ||
    update.recipient.length === 0 ||
    update.recipient.length > 320
  ) {
    throw MailboxError.INVALID_ARGUMENT('recipient')
  }
  if (!isMessageId(update.id)) throw MailboxError.MESSAGE_NOT_FOUND(update.id)
}

// Delivery states only move forward (a late "relayed" never hides "delivered").
function advanceDelivery(record: MessageRecord, recipient: string, state: DeliveryState): void {
  const delivery = (record.delivery ??= {})
  const current = delivery[recipient]
  if (current === undefined || DELIVERY_ORDER[state] > DELIVERY_ORDER[current])
    delivery[recipient] = state
}

/** Opens (creating on first use) the mailbox in `components.store`. */
export async function openMailbox(
  components: MailboxComponents,
  options: MailboxOptions,
): Promise<Mailbox> {
  const mailbox = new Mailbox(components, options)
  try {
    await mailbox.ready()
  } catch (err) {
    await mailbox.close().catch(() => {})
    throw err
  }
  return mailbox
}
