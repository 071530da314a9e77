import { useCallback } from 'react'
import type { ApiDeliveryState, ApiMessageSummary } from '../../ipc/api.js'
import { displayName, listDate, overallDelivery, type Petnames } from './format.js'
import { Icon } from './icons.js'
import type { ListRow } from './threads.js'
import { VirtualList } from './virtual-list.js'

export const ROW_HEIGHT = 76

const TICKS: Record<ApiDeliveryState, { text: string; label: string }> = {
  queued: { text: '◷', label: 'Queued' },
  relayed: { text: '✓', label: 'Sent to a relay' },
  delivered: { text: '✓✓', label: 'Delivered' },
  failed: { text: '!', label: 'Delivery failed' },
}

export function DeliveryTicks({ message }: { message: ApiMessageSummary }) {
  const state = overallDelivery(message)
  if (!state) return null
  const tick = TICKS[state]
  return (
    <span className={`ticks ticks-${state}`} title={tick.label} aria-label={tick.label} role="img">
      {tick.text}
    </span>
  )
}

export interface MessageListProps {
  rows: ListRow[]
  selectedId: string | undefined
  petnames: Petnames
  /** Sent and Drafts show recipients rather than senders. */
  showRecipients: boolean
  label: string
  loading: boolean
  onSelect: (message: ApiMessageSummary) => void
  onToggleThread: (threadId: string) => void
  onNearEnd: () => void
}

export function MessageList(props: MessageListProps) {
  const { rows, selectedId, petnames, showRecipients, onSelect, onToggleThread } = props
  const activeIndex = rows.findIndex((r) => r.message.id === selectedId)
  const renderRow = useCallback(
    (index: number) => {
      const row = rows[index]
      if (!row) return null
      const m = row.message
      const people = showRecipients
        ? `To: ${m.to.map((a) => displayName(a, petnames)).join(', ') || '(no recipients)'}`
        : displayName(m.from[0], petnames)
      const selected = m.id === selectedId
      return (
        <div
          key={m.id}
          id={`row-${m.id}`}
          className={[
            'row',
            row.unread ? 'unread' : '',
            selected ? 'selected' : '',
            row.head ? '' : 'child',
          ].join(' ')}
          role="option"
          aria-selected={selected}
          aria-posinset={index + 1}
          aria-setsize={rows.length}
          data-id={m.id}
          style={{ height: ROW_HEIGHT }}
          onClick={() => {
            onSelect(m)
          }}
        >
          <span className="row-dot" aria-hidden="true" />
          <div className="row-main">
            <div className="row-line">
              <span className="row-from">{people}</span>
              {m.hasAttachments && (
                <span className="row-attach" title="Has attachments" aria-label="Has attachments">
                  <Icon name="attach" size={13} />
                </span>
              )}
              {m.flags.flagged && (
                <span className="row-flag" aria-label="Flagged">
                  <Icon name="flag" size={13} />
                </span>
              )}
              <DeliveryTicks message={m} />
              <time className="row-date" dateTime={new Date(m.date).toISOString()}>
                {listDate(m.date)}
              </time>
            </div>
            <div className="row-line">
              <span className="row-subject">{m.subject || '(no subject)'}</span>
              {row.head && row.threadSize > 1 && (
                <button
                  type="button"
                  className={`thread-toggle ${row.expanded ? 'open' : ''}`}
                  aria-expanded={row.expanded}
                  aria-label={`${row.expanded ? 'Collapse' : 'Expand'} conversation of ${row.threadSize} messages`}
                  onClick={(e) => {
                    e.stopPropagation()
                    onToggleThread(m.threadId)
                  }}
                >
                  {row.threadSize}
                  <Icon name="chevron" size={12} />
                </button>
              )}
            </div>
            <div className="row-snippet">{m.snippet}</div>
          </div>
        </div>
      )
    },
    [rows, selectedId, petnames, showRecipients, onSelect, onToggleThread],
  )
  if (rows.length === 0)
    return (
      <div className="list-empty" role="status">
        {props.loading ? 'Loading…' : 'No messages'}
      </div>
    )
  return (
    <VirtualList
      count={rows.length}
      rowHeight={ROW_HEIGHT}
      renderRow={renderRow}
      activeIndex={activeIndex}
      {...(selectedId !== undefined && activeIndex >= 0 ? { activeId: `row-${selectedId}` } : {})}
      onNearEnd={props.onNearEnd}
      label={props.label}
      className="message-list"
    />
  )
}
