/** The rows a fixed-row-height list must render to fill its viewport, plus a few either side. */
export interface VirtualRange {
  /** First row index rendered. */
  start: number
  /** One past the last row index rendered. */
  end: number
  /** Pixel offset of row `start` from the top of the scroll content. */
  offset: number
  /** Height of the whole scroll content, every row included. */
  total: number
}

/**
 * O(1) whatever the row count: with fixed-height rows the visible slice is arithmetic, so 100,000
 * messages cost what 30 do. `overscan` rows above and below keep fast scrolling from showing blanks.
 */
export function virtualRange(
  count: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
  overscan = 8,
): VirtualRange {
  const total = count * rowHeight
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total: 0 }
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, total - viewportHeight))
  const first = Math.floor(top / rowHeight)
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1
  const start = Math.max(0, first - overscan)
  const end = Math.min(count, first + visible + overscan)
  return { start, end, offset: start * rowHeight, total }
}

/** The scrollTop that brings row `index` into view (unchanged when it already is). */
export function scrollToRow(
  index: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
): number {
  const top = index * rowHeight
  if (top < scrollTop) return top
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight
  return scrollTop
}
