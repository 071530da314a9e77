import type { ApiMessageSummary } from '../../ipc/api.js'

/** One row of the message list: a message, maybe standing for its whole collapsed thread. */
export interface ListRow {
  message: ApiMessageSummary
  /** Messages of its thread in this list (1 for a lone message). */
  threadSize: number
  /** The newest message of its thread, the row a collapsed thread shows. */
  head: boolean
  expanded: boolean
  /** Any message of the (collapsed) thread unread. */
  unread: boolean
}

/**
 * Groups a newest-first list into threads, each at the place of its newest message; a collapsed thread
 * is one row, an expanded one its head followed by the rest, newest first. Linear in the list's length.
 */
export function buildRows(
  messages: ApiMessageSummary[],
  expanded: ReadonlySet<string>,
  threaded = true,
): ListRow[] {
  if (!threaded)
    return messages.map((message) => ({
      message,
      threadSize: 1,
      head: true,
      expanded: false,
      unread: !message.flags.seen,
    }))
  const groups = new Map<string, ApiMessageSummary[]>()
  for (const m of messages) {
    const group = groups.get(m.threadId)
    if (group) group.push(m)
    else groups.set(m.threadId, [m])
  }
  const rows: ListRow[] = []
  for (const [threadId, group] of groups) {
    const open = expanded.has(threadId) && group.length > 1
    const unread = group.some((m) => !m.flags.seen)
    group.forEach((message, i) => {
      if (i > 0 && !open) return
      rows.push({
        message,
        threadSize: group.length,
        head: i === 0,
        expanded: open,
        unread: i === 0 && !open ? unread : !message.flags.seen,
      })
    })
  }
  return rows
}
