import type Hyperbee from 'hyperbee'
import type { Batch } from 'hyperbee'
import { inBatch } from './batch.js'
import type { BlobRef, BlobStore } from './blob-store.js'
import { MailboxError } from './errors.js'
import { key, under } from './index-keys.js'
import type { ParsedMessage } from './mime/index.js'
import type { MessageRecord } from './records.js'
import {
  prepareDoc,
  SearchEngine,
  type DocMeta,
  type SearchChange,
  type SearchDoc,
} from './search/index.js'

/** Changes kept in the log before they are folded into a snapshot; bounds the replay work at open. */
export const SNAPSHOT_EVERY = 2000
const SEQ_DIGITS = 12
/** Most changes in one `sx` entry (bounds the entry: a change holds a message's indexed words). */
const CHANGES_PER_ENTRY = 16

/**
 * Keeps the full-text index persistent, encrypted and incremental. The index itself lives in memory
 * (a {@link SearchEngine}); every change to it is also written, in the same Hyperbee batch as the mailbox
 * change that caused it, as an `sx` log entry — so the two can never disagree, even across a crash. Every
 * {@link SNAPSHOT_EVERY} changes the engine is written to the encrypted blob log as one snapshot and the
 * entries it covers are dropped. Opening restores the snapshot and replays the entries after it: the index
 * is never rebuilt from the messages.
 *
 *   sxseq        → next change number
 *   sx  <seq>    → SearchChange, or an array of them (one operation's changes, in order)
 *   sxsnap       → { ref: BlobRef, upTo: seq }   (changes below `upTo` are in the snapshot)
 */
export class SearchLog {
  engine = new SearchEngine()
  private pending = 0

  constructor(
    private readonly bee: Hyperbee,
    private readonly blobs: BlobStore,
    private readonly snapshotEvery = SNAPSHOT_EVERY,
  ) {}

  /** Restores the last snapshot and replays the log after it. */
  async load(): Promise<void> {
    const snap = (await this.bee.get(key('sxsnap')))?.value as
      { ref: BlobRef; upTo: number } | undefined
    this.engine = snap ? SearchEngine.restore(await this.blobs.get(snap.ref)) : new SearchEngine()
    this.pending = 0
    for await (const entry of this.bee.createReadStream(under('sx'))) {
      const value = entry.value as SearchChange | SearchChange[]
      for (const change of Array.isArray(value) ? value : [value]) {
        this.engine.apply(change)
        this.pending++
      }
    }
  }

  /**
   * Writes changes into the batch of the mailbox operation that causes them: one entry per
   * {@link CHANGES_PER_ENTRY} changes (an index write costs per entry, not per byte).
   */
  async stage(batch: Batch<unknown>, changes: SearchChange[]): Promise<void> {
    if (changes.length === 0) return
    let seq = ((await batch.get(key('sxseq')))?.value as number | undefined) ?? 0
    for (let i = 0; i < changes.length; i += CHANGES_PER_ENTRY) {
      const group = changes.slice(i, i + CHANGES_PER_ENTRY)
      await batch.put(key('sx', seqKey(seq++)), group.length === 1 ? group[0] : group)
    }
    await batch.put(key('sxseq'), seq)
  }

  /** Applies changes to the in-memory index once their batch is on disk. */
  commit(changes: SearchChange[]): void {
    for (const change of changes) this.engine.apply(change)
    this.pending += changes.length
  }

  /** True when enough changes piled up that a snapshot should be written. */
  get wantsSnapshot(): boolean {
    return this.pending >= this.snapshotEvery
  }

  /** Writes the engine as a snapshot and drops the log entries it covers. Caller holds the write lock. */
  async snapshot(): Promise<void> {
    const [ref] = await this.blobs.putMany([this.engine.snapshot()])
    if (!ref)
      throw MailboxError.CORRUPT('the blob log returned no position for the search snapshot')
    const old = await inBatch(this.bee, async (batch) => {
      const previous = (await batch.get(key('sxsnap')))?.value as { ref: BlobRef } | undefined
      const upTo = ((await batch.get(key('sxseq')))?.value as number | undefined) ?? 0
      const covered: string[] = []
      for await (const entry of batch.createReadStream(under('sx'))) covered.push(entry.key)
      for (const k of covered) await batch.del(k)
      await batch.put(key('sxsnap'), { ref, upTo })
      return previous?.ref
    })
    this.pending = 0
    if (old) await this.blobs.clear(old)
  }
}

/** What the search index needs to know about a message. */
export function searchDocOf(record: MessageRecord, parsed: ParsedMessage): SearchDoc {
  return {
    id: record.id,
    ...metaOf(record),
    subject: record.subject,
    body: parsed.text ?? htmlToText(parsed.html ?? ''),
    from: record.from,
    to: record.to,
    cc: record.cc,
    bcc: record.bcc,
    filenames: record.attachmentNames,
  }
}

/** The filterable facts of a message (folder, flags, labels, date, size, attachments). */
export function metaOf(record: MessageRecord): DocMeta {
  return {
    folder: record.folder,
    labels: record.labels,
    seen: record.flags.seen,
    flagged: record.flags.flagged,
    answered: record.flags.answered,
    hasAttachments: record.hasAttachments,
    date: record.date,
    size: record.size,
  }
}

/** An 'add' change for a freshly stored message. */
export function addChange(record: MessageRecord, parsed: ParsedMessage): SearchChange {
  return { op: 'add', doc: prepareDoc(searchDocOf(record, parsed)) }
}

/** HTML beyond this is not indexed: the tokenizer keeps only the first 10,000 tokens of a body anyway. */
const MAX_HTML_INDEXED = 2 * 1024 * 1024

/**
 * Text of an HTML-only body, for indexing: tags dropped, script and style contents skipped, common
 * entities decoded. One forward pass with indexOf (no backtracking regex: the HTML is hostile input).
 */
export function htmlToText(html: string): string {
  const source = html.slice(0, MAX_HTML_INDEXED)
  const lower = source.toLowerCase()
  let out = ''
  let i = 0
  while (i < source.length) {
    const open = source.indexOf('<', i)
    if (open < 0) {
      out += source.slice(i)
      break
    }
    out += source.slice(i, open) + ' '
    const close = source.indexOf('>', open)
    if (close < 0) break
    const skip = /^<(script|style)\b/.exec(lower.slice(open, open + 8))
    if (skip) {
      const end = lower.indexOf(`</${skip[1] ?? ''}`, close)
      i = end < 0 ? source.length : end
      continue
    }
    i = close + 1
  }
  return out
    .replaceAll('&nbsp;', ' ')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&')
}

function seqKey(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, '0')
}
