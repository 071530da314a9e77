import { ANSWERED, ATTACHMENTS, FLAGGED, REMOVED, SEEN, type DocTable } from './doc-table.js'
import type { SearchFilters } from './query.js'

/**
 * The filters of a query, resolved against the document table once (folder and label names to
 * ids, flags to one mask) so that testing a document is a few array reads. Removed documents never
 * pass.
 */
export class DocFilter {
  private flagMask = REMOVED
  private flagValue = 0
  private folder = -1
  private excludeFolders: ReadonlySet<number> = new Set()
  private labels: readonly number[] = []
  private excludeLabels: readonly number[] = []
  private dateFrom = -Infinity
  private dateBefore = Infinity
  private sizeMin = -Infinity
  private sizeMax = Infinity

  private constructor(private readonly docs: DocTable) {}

  /** The filter, or null when no document can pass (an unknown folder or label is required). */
  static compile(docs: DocTable, filters: SearchFilters): DocFilter | null {
    const filter = new DocFilter(docs)
    const flag = (wanted: boolean | undefined, bit: number) => {
      if (wanted === undefined) return
      filter.flagMask |= bit
      if (wanted) filter.flagValue |= bit
    }
    flag(filters.seen, SEEN)
    flag(filters.flagged, FLAGGED)
    flag(filters.answered, ANSWERED)
    flag(filters.hasAttachments, ATTACHMENTS)
    if (filters.folder !== undefined) {
      filter.folder = docs.folders.lookup(filters.folder)
      if (filter.folder < 0) return null
    }
    const known = (id: number) => id >= 0
    filter.excludeFolders = new Set(
      filters.excludeFolders.map((name) => docs.folders.lookup(name)).filter(known),
    )
    const labels = filters.labels.map((name) => docs.labelNames.lookup(name))
    if (!labels.every(known)) return null
    filter.labels = labels
    filter.excludeLabels = filters.excludeLabels
      .map((name) => docs.labelNames.lookup(name))
      .filter(known)
    filter.dateFrom = filters.dateFrom ?? -Infinity
    filter.dateBefore = filters.dateBefore ?? Infinity
    filter.sizeMin = filters.sizeMin ?? -Infinity
    filter.sizeMax = filters.sizeMax ?? Infinity
    return filter
  }

  /** True when document `doc` passes every filter. */
  test(doc: number): boolean {
    const { docs } = this
    if (((docs.flags[doc] ?? 0) & this.flagMask) !== this.flagValue) return false
    const folder = docs.folder[doc] ?? 0
    if (this.folder >= 0 && folder !== this.folder) return false
    if (this.excludeFolders.size > 0 && this.excludeFolders.has(folder)) return false
    const date = docs.date[doc] ?? 0
    if (!(date >= this.dateFrom && date < this.dateBefore)) return false
    const size = docs.size[doc] ?? 0
    if (!(size >= this.sizeMin && size <= this.sizeMax)) return false
    if (this.labels.length === 0 && this.excludeLabels.length === 0) return true
    const own = docs.labelsOf(doc)
    return (
      this.labels.every((label) => own.includes(label)) &&
      !this.excludeLabels.some((label) => own.includes(label))
    )
  }
}
