import { MailboxError } from '../errors.js'
import { ensureLength } from './arrays.js'
import type { DocMeta } from './indexed-doc.js'
import { StringTable, type StringColumn } from './strings.js'
import type { ByteRegion } from './varint.js'

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

const NO_LABELS: readonly number[] = []

/**
 * Label sets, each held once: the messages of a mailbox carry few distinct combinations of labels,
 * so a document keeps the number of its set in a typed column, not an array of its own on the heap.
 */
class LabelSets {
  private readonly sets: (readonly number[])[] = [NO_LABELS]
  private readonly numbers = new Map<string, number>([['', 0]])

  /** The number of the set `labels` (label ids, ascending), added when new; 0 for none. */
  intern(labels: readonly number[]): number {
    const key = labels.join(',')
    let n = this.numbers.get(key)
    if (n === undefined) {
      n = this.sets.length
      this.sets.push(labels)
      this.numbers.set(key, n)
    }
    return n
  }

  get(n: number): readonly number[] {
    return this.sets[n] ?? NO_LABELS
  }
}

/** The columns of a snapshot's document table; `R` is how the ids' code units come. */
export interface DocColumns<R> {
  ids: StringColumn<R>
  flags: Uint8Array
  folder: Uint32Array
  date: Float64Array
  size: Float64Array
  /** Label ids per document, ascending, or undefined for none. */
  labels: (readonly number[] | undefined)[]
  /** Length of each document in `any` tokens. */
  length: Uint32Array
}

/**
 * Per-document columns, by document number, and the ids, whose index finds live documents only (a
 * removed document's id stays readable until the next compaction, like the rest of it).
 */
export class DocTable {
  /** Document numbers handed out, removed ones included. */
  count = 0
  /** Documents not removed. */
  live = 0
  /** Sum of `length` over live documents. */
  totalLength = 0
  ids = StringTable.empty()
  flags: Uint8Array = new Uint8Array(0)
  folder: Uint32Array = new Uint32Array(0)
  date: Float64Array = new Float64Array(0)
  size: Float64Array = new Float64Array(0)
  length: Uint32Array = new Uint32Array(0)
  folders = new NameTable()
  labelNames = new NameTable()
  private labelSet: Uint32Array = new Uint32Array(0)
  private labelSets = new LabelSets()

  /** The number of the live document `id`, or -1. */
  docOf(id: string): number {
    return this.ids.lookup(id)
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
    this.labelSet = ensureLength(this.labelSet, size)
    this.ids.add(id)
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
    this.labelSet[doc] = this.labelSets.intern(labels.sort((a, b) => a - b))
  }

  /** The label ids of `doc`, ascending. */
  labelsOf(doc: number): readonly number[] {
    return this.labelSets.get(this.labelSet[doc] ?? 0)
  }

  /** Marks `doc` removed (its number stays taken until {@link compact}). */
  remove(doc: number): void {
    this.ids.forget(doc)
    this.flags[doc] = REMOVED
    this.labelSet[doc] = 0
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
      this.labelSet[to] = this.labelSet[doc] ?? 0
      this.flags[to] = this.flags[doc] ?? 0
      this.folder[to] = this.folder[doc] ?? 0
      this.date[to] = this.date[doc] ?? 0
      this.size[to] = this.size[doc] ?? 0
      this.length[to] = this.length[doc] ?? 0
      to++
    }
    this.ids = this.ids.remap(map, to)
    this.count = to
    return map
  }

  /** The table's columns, for snapshots: views of its arrays, ids and label sets as stored. */
  columns(): DocColumns<ByteRegion> {
    const n = this.count
    return {
      ids: this.ids.column(),
      flags: this.flags.subarray(0, n),
      folder: this.folder.subarray(0, n),
      date: this.date.subarray(0, n),
      size: this.size.subarray(0, n),
      labels: Array.from({ length: n }, (_, doc) => this.labelsOf(doc)),
      length: this.length.subarray(0, n),
    }
  }

  /**
   * A table of snapshot columns (which hold live documents only), checked: ids not empty and
   * distinct, flags known, folders and labels known, dates finite, sizes finite and not negative.
   * Throws CORRUPT otherwise.
   */
  static restore(
    columns: DocColumns<Uint8Array>,
    folders: NameTable,
    labelNames: NameTable,
  ): DocTable {
    const corrupt = (why: string) => MailboxError.CORRUPT(`search snapshot: ${why}`)
    const table = new DocTable()
    const { flags, folder, date, size, labels, length } = columns
    const ids = columns.ids.lengths.includes(0) ? null : StringTable.over(columns.ids)
    if (ids === null) throw corrupt('a document id is empty or repeated')
    for (let doc = 0; doc < ids.count; doc++) {
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
    table.count = table.live = ids.count
    table.ids = ids
    table.flags = flags
    table.folder = folder
    table.date = date
    table.size = size
    table.labelSet = new Uint32Array(ids.count)
    for (let doc = 0; doc < ids.count; doc++) {
      table.labelSet[doc] = table.labelSets.intern(labels[doc] ?? NO_LABELS)
    }
    table.length = length
    return table
  }
}
