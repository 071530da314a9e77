import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { importedState } from '../../../src/mailbox/import-state.js'

const msg = (headers: string[], body = 'x') => Buffer.from([...headers, '', body, ''].join('\r\n'))

describe('state imported from other clients', () => {
  it('reads Thunderbird X-Mozilla-Status bits', () => {
    expect(importedState(msg(['X-Mozilla-Status: 0000', 'Subject: a'])).flags).toEqual({
      seen: false,
      answered: false,
      flagged: false,
    })
    expect(importedState(msg(['X-Mozilla-Status: 0007'])).flags).toEqual({
      seen: true,
      answered: true,
      flagged: true,
    })
  })

  it('reads Gmail labels: folders, unread, starred, user labels', () => {
    const state = importedState(
      msg([
        'X-Gmail-Labels: Inbox,Unread,Starred,Category Updates,Project X,',
        ' Receipts',
        'Subject: b',
      ]),
    )
    expect(state).toEqual({
      flags: { seen: false, flagged: true, answered: false },
      folder: 'inbox',
      labels: ['Project X', 'Receipts'],
    })
    expect(importedState(msg(['X-Gmail-Labels: Archived,Sent'])).folder).toBe('sent')
    expect(importedState(msg(['X-Gmail-Labels: Spam'])).folder).toBe('spam')
    expect(importedState(msg(['X-Gmail-Labels: Archived'])).folder).toBe('archive')
  })

  it('ignores headers in the body and defaults to read, no folder', () => {
    const state = importedState(msg(['Subject: c'], 'X-Gmail-Labels: Spam,Unread'))
    expect(state).toEqual({ flags: { seen: true, flagged: false, answered: false }, labels: [] })
  })

  it('reads the committed fixtures', () => {
    const thunderbird = readFileSync(
      new URL('../../fixtures/mbox/thunderbird.mbox', import.meta.url),
    )
    const first = thunderbird.subarray(thunderbird.indexOf('\n') + 1)
    expect(importedState(first).flags.seen).toBe(true)
  })
})
