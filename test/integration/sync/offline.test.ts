import { createHash } from 'node:crypto'
import { describe, expect } from 'vitest'
import type { Account } from '../../../src/index.js'
import { deliveryOf, nextMails, test } from '../../helpers/network.js'

async function subjectsIn(account: Account): Promise<string[]> {
  const out: string[] = []
  for (const folder of ['inbox', 'requests']) {
    for (const m of await account.mailbox.list({ folder, limit: 500 })) out.push(m.subject)
  }
  return out.sort()
}

describe('offline delivery and restarts', () => {
  test('mail to a peer that is offline waits in the sender log and arrives when it is back', async ({
    network,
  }) => {
    const alice = await network.open('alice')
    let bob = await network.open('bob')
    const met = nextMails(bob)
    await alice.send({ to: bob.address, subject: 'while you are here', text: '0' })
    await met
    await bob.close()

    const ids: string[] = []
    for (let i = 1; i <= 3; i++) {
      ids.push((await alice.send({ to: bob.address, subject: `away ${i}`, text: `${i}` })).id)
    }
    for (const id of ids) expect((await alice.status(id))[bob.address]).toBe('queued')

    bob = await network.open('bob')
    await Promise.all(ids.map((id) => deliveryOf(alice, id, bob.address)))
    expect(await subjectsIn(bob)).toEqual(['away 1', 'away 2', 'away 3', 'while you are here'])
  })

  test('catching up reports its progress, from where it starts to the end of the log', async ({
    network,
  }) => {
    let alice = await network.open('alice')
    let bob = await network.open('bob')
    const met = nextMails(bob)
    await alice.send({ to: bob.address, subject: 'hello', text: '0' })
    await met
    await bob.close()
    const ids: string[] = []
    for (let i = 0; i < 30; i++)
      ids.push((await alice.send({ to: bob.address, subject: `queued ${i}`, text: `${i}` })).id)
    await alice.close()

    // Bob is back first, listening before the only sender with mail for him comes online.
    bob = await network.open('bob')
    const seen: { handled: number; length: number }[] = []
    bob.on('progress', ({ peer, handled, length }) => {
      expect(peer).toBe(alice.address)
      seen.push({ handled, length })
    })
    const arriving = nextMails(bob, 30)
    alice = await network.open('alice')
    await arriving
    await Promise.all(ids.map((id) => deliveryOf(alice, id, bob.address)))
    // The first report is where the catch-up began (the first mail already read), the last the end.
    expect(seen[0]?.handled).toBe(1)
    expect(seen[0]!.length).toBeGreaterThan(1)
    expect(seen.at(-1)).toEqual({ handled: 31, length: 31 })
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.handled).toBeGreaterThanOrEqual(seen[i - 1]!.handled)
      expect(seen[i]!.length).toBeGreaterThanOrEqual(seen[i - 1]!.length)
    }
  })

  test('a peer never met before gets mail queued while it was offline', async ({ network }) => {
    let bob = await network.open('bob')
    const bobAddress = bob.address
    await bob.close()
    const alice = await network.open('alice')
    const { id } = await alice.send({ to: bobAddress, subject: 'before we met', text: 'hello' })
    expect(await alice.status(id)).toEqual({ [bobAddress]: 'queued' })

    bob = await network.open('bob')
    await deliveryOf(alice, id, bobAddress)
    expect(await subjectsIn(bob)).toEqual(['before we met'])
  })

  test('a sender restarting mid-transfer loses and duplicates nothing', async ({ network }) => {
    const bob = await network.open('bob')
    let alice = await network.open('alice')
    const first = nextMails(bob)
    await alice.send({ to: bob.address, subject: 'm00', text: 'x' })
    await first

    const sends = Array.from({ length: 39 }, (_, i) =>
      alice.send({ to: bob.address, subject: `m${String(i + 1).padStart(2, '0')}`, text: 'x' }),
    )
    const ids = (await Promise.all(sends)).map((s) => s.id)
    const statuses = await Promise.all(ids.map((id) => alice.status(id)))
    // Closed with most of them still unacknowledged: they must resume from the mailbox state.
    expect(statuses.filter((s) => s[bob.address] !== 'delivered').length).toBeGreaterThan(10)
    await alice.close()
    alice = await network.open('alice')
    await Promise.all(ids.map((id) => deliveryOf(alice, id, bob.address)))
    const expected = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, '0')}`)
    expect(await subjectsIn(bob)).toEqual(expected)
  })

  test('a recipient restarting mid-transfer loses and duplicates nothing', async ({ network }) => {
    const alice = await network.open('alice')
    let bob = await network.open('bob')
    const first = nextMails(bob)
    await alice.send({ to: bob.address, subject: 'm00', text: 'x' })
    await first

    const firstOfBatch = nextMails(bob)
    const ids: string[] = []
    for (let i = 1; i < 40; i++) {
      const subject = `m${String(i).padStart(2, '0')}`
      ids.push((await alice.send({ to: bob.address, subject, text: 'y'.repeat(2000) })).id)
    }
    await firstOfBatch
    await bob.close()
    bob = await network.open('bob')
    await Promise.all(ids.map((id) => deliveryOf(alice, id, bob.address)))
    const expected = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, '0')}`)
    expect(await subjectsIn(bob)).toEqual(expected)
  })

  test('a 25 MB attachment arrives byte for byte', async ({ network }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')
    const content = Buffer.alloc(25 * 1024 * 1024)
    for (let i = 0; i < content.length; i += 4096) content.writeUInt32BE(i, i)
    const arriving = nextMails(bob)
    const { id } = await alice.send({
      to: bob.address,
      subject: 'big file',
      text: 'see attached',
      attachments: [{ filename: 'big.bin', content }],
    })
    const [mail] = await arriving
    const read = await bob.mailbox.read(mail?.id ?? '')
    const [attachment] = read.attachments
    expect(attachment?.filename).toBe('big.bin')
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex')
    expect(digest(attachment?.content ?? Buffer.alloc(0))).toBe(digest(content))
    await deliveryOf(alice, id, bob.address)
  })
})
