import { MailboxError } from '../errors.js'
import { ensureLength } from './arrays.js'
import type { DocMeta } from './indexed-doc.js'

/*
 * The document table: what filters and ranking read about a message, in columns indexed by
 * document number. Numbers are handed out in order and never reused; a removed document keeps its
 * number, marked REMOVED (the tombstone), until a compaction renumbers the survivors.
 */

/** Flag bits of {@link DocTable.flags}. */
export const SEEN = 1
export const FLAGGED = 2
export const ANSWERED = 4
export const ATTACHMENTS = 8
export const REMOVED = 16
const ALL_FLAGS = SEEN | FLAGGED | ANSWERED | ATTACHMENTS | REMOVED

/** Folder or label names to small ids, compared case-insensitively as the query language does. */
export class NameTable {
  readonly names: string[] = []
  private readonly ids = new Map<string, number>()

  /** A table of snapshot names (stored folded), checked distinct; throws CORRUPT otherwise. */
  static restore(names: readonly string[]): NameTable {
    const table = new NameTable()
    for (const name of names) {
      if (name !== fold(name) || table.lookup(name) >= 0) {
        throw MailboxError.CORRUPT('search snapshot: a folder or label name is repeated')
      }
      table.intern(name)
    }
    return table
  }

  /** The id of `name`, or -1. */
  lookup(name: string): number {
    return this.ids.get(fold(name)) ?? -1
  }

  intern(name: string): number {
    const key = fold(name)
    let id = this.ids.get(key)
    if (id === undefined) {
      id = this.names.length
      this.names.push(key)
      this.ids.set(key, id)
    }
    return id
  }
}

function fold(name: string): string {
  return name.toLowerCase()
}

/** The columns of a snapshot's document table. */
export interface DocColumns {
  /** '' for a removed document. */
  ids: string[]
  flags: Uint8Array
  folder: Uint32Array
  date: Float64Array
  size: Float64Array
  /** Label ids per document, ascending, or undefined for none. */
  labels: (readonly number[] | undefined)[]
  /** Length of each document in `any` tokens. */
  length: Uint32Array
}

/** Per-document columns, by document number, and the id → number map of live documents. */
export class DocTable {
  /** Document numbers handed out, removed ones included. */
  count = 0
  /** Documents not removed. */
  live = 0
  /** Sum of `length` over live documents. */
  totalLength = 0
  ids: string[] = []
  flags: Uint8Array = new Uint8Array(0)
  folder: Uint32Array = new Uint32Array(0)
  date: Float64Array = new Float64Array(0)
  size: Float64Array = new Float64Array(0)
  length: Uint32Array = new Uint32Array(0)
  labels: (readonly number[] | undefined)[] = []
  folders = new NameTable()
  labelNames = new NameTable()
  private byId = new Map<string, number>()

  /** The number of the live document `id`, or -1. */
  docOf(id: string): number {
    return this.byId.get(id) ?? -1
  }

  /** Adds a document of `length` `any` tokens and returns its number. */
  add(id: string, meta: DocMeta, length: number): number {
    const doc = this.count++
    const size = this.count
    this.flags = ensureLength(this.flags, size)
    this.folder = ensureLength(this.folder, size)
    this.date = ensureLength(this.date, size)
    this.size = ensureLength(this.size, size)
    this.length = ensureLength(this.length, size)
    this.ids.push(id)
    this.labels.push(undefined)
    this.byId.set(id, doc)
    this.length[doc] = length
    this.live++
    this.totalLength += length
    this.setMeta(doc, meta)
    return doc
  }

  /** Sets the filterable facts of `doc` (folder and labels by id, flags as bits). */
  setMeta(doc: number, meta: DocMeta): void {
    this.flags[doc] =
      (meta.seen ? SEEN : 0) |
      (meta.flagged ? FLAGGED : 0) |
      (meta.answered ? ANSWERED : 0) |
      (meta.hasAttachments ? ATTACHMENTS : 0)
    this.folder[doc] = this.folders.intern(meta.folder)
    this.date[doc] = meta.date
    this.size[doc] = meta.size
    const labels = [...new Set(meta.labels.map((name) => this.labelNames.intern(name)))]
    this.labels[doc] = labels.length === 0 ? undefined : labels.sort((a, b) => a - b)
  }

  /** Marks `doc` removed (its number stays taken until {@link compact}). */
  remove(doc: number): void {
    this.byId.delete(this.ids[doc] ?? '')
    this.ids[doc] = ''
    this.flags[doc] = REMOVED
    this.labels[doc] = undefined
    this.live--
    this.totalLength -= this.length[doc] ?? 0
  }

  /** Drops removed documents and renumbers the rest in order; returns old number → new (-1). */
  compact(): Int32Array {
    const map = new Int32Array(this.count).fill(-1)
    let to = 0
    for (let doc = 0; doc < this.count; doc++) {
      if (((this.flags[doc] ?? 0) & REMOVED) !== 0) continue
      map[doc] = to
      this.ids[to] = this.ids[doc] ?? ''
      this.byId.set(this.ids[to] ?? '', to)
      this.labels[to] = this.labels[doc]
      this.flags[to] = this.flags[doc] ?? 0
      this.folder[to] = this.folder[doc] ?? 0
      this.date[to] = this.date[doc] ?? 0
      this.size[to] = this.size[doc] ?? 0
      this.length[to] = this.length[doc] ?? 0
      to++
    }
    this.ids.length = to
    this.labels.length = to
    this.count = to
    return map
  }

  /** The table's columns, views of its own arrays (for snapshots). */
  columns(): DocColumns {
    const n = this.count
    return {
      ids: this.ids,
      flags: this.flags.subarray(0, n),
      folder: this.folder.subarray(0, n),
      date: this.date.subarray(0, n),
      size: this.size.subarray(0, n),
      labels: this.labels,
      length: this.length.subarray(0, n),
    }
  }

  /**
   * A table of snapshot columns (which hold live documents only), checked: ids distinct, flags
   * known, folders and labels known, dates finite, sizes finite and not negative. Throws CORRUPT
   * otherwise.
   */
  static restore(columns: DocColumns, folders: NameTable, labelNames: NameTable): DocTable {
    const corrupt = (why: string) => MailboxError.CORRUPT(`search snapshot: ${why}`)
    const table = new DocTable()
    const { ids, flags, folder, date, size, labels, length } = columns
    for (let doc = 0; doc < ids.length; doc++) {
      const id = ids[doc] ?? ''
      if (id === '' || table.byId.has(id)) throw corrupt('a document id is empty or repeated')
      table.byId.set(id, doc)
      table.totalLength += length[doc] ?? 0
      if (((flags[doc] ?? 0) & ~(ALL_FLAGS & ~REMOVED)) !== 0) throw corrupt('bad flags')
      if ((folder[doc] ?? 0) >= folders.names.length) throw corrupt('unknown folder')
      const d = date[doc] ?? 0
      const s = size[doc] ?? 0
      if (!Number.isFinite(d) || !Number.isFinite(s) || s < 0) throw corrupt('a bad date or size')
      const own = labels[doc] ?? []
      for (let i = 0; i < own.length; i++) {
        const label = own[i] ?? 0
        if (label >= labelNames.names.length || (i > 0 && label <= (own[i - 1] ?? 0))) {
          throw corrupt('a bad label set')
        }
      }
    }
    table.folders = folders
    table.labelNames = labelNames
    table.count = table.live = ids.length
    table.ids = ids
    table.flags = flags
    table.folder = folder
    table.date = date
    table.size = size
    table.labels = labels
    table.length = length
    return table
  }
}
