/**
 * The renderer's pure parts, run in Node: the list virtualiser's arithmetic (which is what keeps 100,000
 * messages cheap) and thread grouping. The DOM side is tested in Chromium (test/e2e/ui).
 */
import { describe, expect, test } from 'vitest'
import type { ApiMessageSummary } from '../../../src/app/ipc/api.js'
import { remoteContentSender } from '../../../src/app/renderer/src/remote-content.js'
import { buildRows } from '../../../src/app/renderer/src/threads.js'
import { scrollToRow, virtualRange } from '../../../src/app/renderer/src/virtual-range.js'

function message(id: string, threadId: string, seen = true): ApiMessageSummary {
  return {
    id,
    folder: 'inbox',
    threadId,
    date: 0,
    from: [],
    to: [],
    cc: [],
    subject: id,
    snippet: '',
    flags: { seen, flagged: false, answered: false },
    labels: [],
    hasAttachments: false,
    size: 1,
  }
}

describe('virtualRange', () => {
  test('renders only what fills the viewport, wherever it is in 100,000 rows', () => {
    const count = 100_000
    const row = 76
    const viewport = 900
    for (const scrollTop of [0, 1, 37_999, 3_800_000, count * row - viewport, count * row * 2]) {
      const r = virtualRange(count, row, scrollTop, viewport)
      expect(r.total).toBe(count * row)
      expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(viewport / row) + 1 + 16)
      expect(r.start).toBeGreaterThanOrEqual(0)
      expect(r.end).toBeLessThanOrEqual(count)
      expect(r.offset).toBe(r.start * row)
      // The visible rows are always inside the rendered slice.
      const top = Math.min(scrollTop, count * row - viewport)
      expect(r.start * row).toBeLessThanOrEqual(top)
      expect(r.end * row).toBeGreaterThanOrEqual(Math.min(top + viewport, count * row))
    }
    expect(virtualRange(count, row, count * row, viewport).end).toBe(count)
  })

  test('empty and short lists', () => {
    expect(virtualRange(0, 76, 0, 900)).toEqual({ start: 0, end: 0, offset: 0, total: 0 })
    expect(virtualRange(3, 76, 0, 900)).toEqual({ start: 0, end: 3, offset: 0, total: 228 })
  })

  test('scrollToRow brings a row into view only when it is out of it', () => {
    expect(scrollToRow(0, 76, 500, 900)).toBe(0)
    expect(scrollToRow(10, 76, 0, 900)).toBe(0)
    expect(scrollToRow(20, 76, 0, 900)).toBe(21 * 76 - 900)
  })
})

describe('buildRows', () => {
  const list = [
    message('c2', 'c', false),
    message('a1', 'a'),
    message('c1', 'c'),
    message('b1', 'b', false),
  ]

  test('a collapsed thread is one row at its newest message, unread if any message is', () => {
    const rows = buildRows(list, new Set())
    expect(rows.map((r) => [r.message.id, r.threadSize, r.unread])).toEqual([
      ['c2', 2, true],
      ['a1', 1, false],
      ['b1', 1, true],
    ])
  })

  test('an expanded thread lists every message under its head', () => {
    const rows = buildRows(list, new Set(['c']))
    expect(rows.map((r) => [r.message.id, r.head, r.expanded])).toEqual([
      ['c2', true, true],
      ['c1', false, true],
      ['a1', true, false],
      ['b1', true, false],
    ])
  })

  test('unthreaded (search results) keeps every message as it came', () => {
    expect(buildRows(list, new Set(), false).map((r) => r.message.id)).toEqual([
      'c2',
      'a1',
      'c1',
      'b1',
    ])
  })

  test('100,000 messages group in linear time', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => message(`m${i}`, `t${i % 5000}`))
    const rows = buildRows(many, new Set(['t1']))
    expect(rows).toHaveLength(5000 + 19)
  })
})

describe('remoteContentSender', () => {
  const PEER = 'pm1ucrtwexy9efe3mmyjryib95rto7chzokfse4dwum85gpdfhap1gmbfkw9h'
  const OTHER = 'pm1rch18kfb8jow4s34dy7czoje9jz3hrebruikpon1nqs53zembixisd15zh'
  const from = (address: string, peer?: string): ApiMessageSummary => ({
    ...message('x', 't'),
    from: [{ name: 'Someone', address }],
    ...(peer === undefined ? {} : { peer }),
  })

  test('Peermail mail: the proven sender, only when the From header names it', () => {
    expect(remoteContentSender(from(`${PEER}@peermail.invalid`, PEER))).toBe(PEER)
    // A From that claims someone the transport did not prove borrows nobody's permission.
    expect(remoteContentSender(from(`${OTHER}@peermail.invalid`, PEER))).toBeUndefined()
    expect(remoteContentSender(from(`${OTHER}@peermail.invalid`))).toBeUndefined()
  })

  test('ordinary mail (bridged, imported): the From address, lower-cased', () => {
    expect(remoteContentSender(from('News@Example.COM'))).toBe('news@example.com')
    expect(remoteContentSender(from('news@example.com', OTHER))).toBe('news@example.com')
    expect(remoteContentSender({ ...message('x', 't'), from: [] })).toBeUndefined()
  })
})
