import { describe, expect } from 'vitest'
import { normalizeSubject } from '../../../src/mailbox/index.js'
import { rawMessage, test } from '../../helpers/mailbox.js'

describe('threads', () => {
  test('a reply joins its parent by In-Reply-To and References', async ({ home }) => {
    const mailbox = await home.open()
    const parent = await mailbox.add({ raw: rawMessage({ subject: 'Plan', messageId: '<p@x>' }) })
    const reply = await mailbox.add({
      raw: rawMessage({
        subject: 'Re: Plan',
        messageId: '<r@x>',
        inReplyTo: '<p@x>',
        references: '<p@x>',
      }),
    })
    const second = await mailbox.add({
      raw: rawMessage({ subject: 'Re: Plan', messageId: '<r2@x>', references: '<p@x> <r@x>' }),
    })
    expect(reply.threadId).toBe(parent.threadId)
    expect(second.threadId).toBe(parent.threadId)
    expect((await mailbox.thread(parent.threadId)).map((m) => m.id).sort()).toEqual(
      [parent.id, reply.id, second.id].sort(),
    )
  })

  test('a reply that arrives before its parent still lands in the same thread', async ({
    home,
  }) => {
    const mailbox = await home.open()
    const reply = await mailbox.add({
      raw: rawMessage({ subject: 'Re: Trip', messageId: '<r@y>', inReplyTo: '<p@y>' }),
    })
    const parent = await mailbox.add({ raw: rawMessage({ subject: 'Trip', messageId: '<p@y>' }) })
    expect(parent.threadId).toBe(reply.threadId)
  })

  test('a message linking two threads merges them', async ({ home }) => {
    const mailbox = await home.open()
    const a = await mailbox.add({ raw: rawMessage({ subject: 'A', messageId: '<a@z>' }) })
    const b = await mailbox.add({ raw: rawMessage({ subject: 'B', messageId: '<b@z>' }) })
    expect(a.threadId).not.toBe(b.threadId)
    const link = await mailbox.add({
      raw: rawMessage({ subject: 'Re: A', messageId: '<c@z>', references: '<a@z> <b@z>' }),
    })
    const members = (await mailbox.thread(link.threadId)).map((m) => m.id).sort()
    expect(members).toEqual([a.id, b.id, link.id].sort())
    expect((await mailbox.get(b.id)).threadId).toBe(link.threadId)
    expect(await mailbox.thread(b.threadId)).toHaveLength(b.threadId === link.threadId ? 3 : 0)
  })

  test('falls back to the subject for replies without references, within a month', async ({
    home,
  }) => {
    const mailbox = await home.open()
    const first = await mailbox.add({
      raw: rawMessage({ subject: 'Budget 2027', date: 'Thu, 01 Oct 2026 10:00:00 +0000' }),
    })
    const reply = await mailbox.add({
      raw: rawMessage({
        subject: 'RE: [team] Budget 2027',
        date: 'Fri, 02 Oct 2026 10:00:00 +0000',
      }),
    })
    const unrelated = await mailbox.add({ raw: rawMessage({ subject: 'Budget 2027' }) })
    const late = await mailbox.add({
      raw: rawMessage({ subject: 'Re: Budget 2027', date: 'Mon, 01 Jun 2026 10:00:00 +0000' }),
    })
    expect(reply.threadId).toBe(first.threadId)
    // Not a reply subject: a new conversation even with the same words.
    expect(unrelated.threadId).not.toBe(first.threadId)
    expect(late.threadId).not.toBe(first.threadId)
  })

  test('normalises subjects', () => {
    expect(normalizeSubject('Re: Fwd: [list] AW:  Hello   World')).toBe('hello world')
    expect(normalizeSubject('Re[2]: x')).toBe('x')
    expect(normalizeSubject('Regarding this')).toBe('regarding this')
  })
})
