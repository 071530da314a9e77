import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react'
import { scrollToRow, virtualRange } from './virtual-range.js'

export interface VirtualListProps {
  count: number
  rowHeight: number
  /** Renders row `index`; the list positions it. */
  renderRow: (index: number) => ReactNode
  /** Row kept in view (the selection). */
  activeIndex?: number
  /** DOM id of the selected row, for assistive tech (aria-activedescendant). */
  activeId?: string
  /** Called when the rendered slice gets near the end (load the next page). */
  onNearEnd?: () => void
  label: string
  className?: string
}

/**
 * A small virtualiser: only the rows in view (plus overscan) exist in the DOM, placed in one
 * absolutely-positioned block inside a spacer as tall as every row together.
 */
export function VirtualList(props: VirtualListProps) {
  const { count, rowHeight, renderRow, activeIndex, onNearEnd } = props
  const ref = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(600)

  useLayoutEffect(() => {
    const el = ref.current
    if (!el) return
    setHeight(el.clientHeight)
    const observer = new ResizeObserver(() => {
      setHeight(el.clientHeight)
    })
    observer.observe(el)
    return () => {
      observer.disconnect()
    }
  }, [])

  useEffect(() => {
    const el = ref.current
    if (!el || activeIndex === undefined || activeIndex < 0) return
    const next = scrollToRow(activeIndex, rowHeight, el.scrollTop, el.clientHeight)
    if (next !== el.scrollTop) el.scrollTop = next
  }, [activeIndex, rowHeight])

  const range = virtualRange(count, rowHeight, scrollTop, height)
  useEffect(() => {
    if (onNearEnd && count > 0 && range.end >= count - 20) onNearEnd()
  }, [range.end, count, onNearEnd])

  const rows: ReactNode[] = []
  for (let i = range.start; i < range.end; i++) rows.push(renderRow(i))
  return (
    <div
      ref={ref}
      className={`virtual-list ${props.className ?? ''}`}
      role="listbox"
      aria-label={props.label}
      aria-activedescendant={props.activeId}
      tabIndex={0}
      onScroll={(e) => {
        setScrollTop(e.currentTarget.scrollTop)
      }}
    >
      <div className="virtual-spacer" style={{ height: range.total }}>
        <div className="virtual-window" style={{ transform: `translateY(${range.offset}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  )
}
