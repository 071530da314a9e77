import { describe, expect } from 'vitest'
import { deliveryOf, nextMails, test } from '../../helpers/network.js'

describe('peer-to-peer delivery, both peers online', () => {
  test('a first mail lands in Requests, the reply in the inbox, and both show delivered', async ({
    network,
  }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')

    const arriving = nextMails(bob)
    const { id } = await alice.send({
      to: bob.address,
      subject: 'Hello Bob',
      text: 'First contact',
      html: '<p>First <b>contact</b></p>',
      attachments: [{ filename: 'notes.txt', content: Buffer.from('attached bytes') }],
    })
    const [mail] = await arriving
    if (!mail) throw new Error('no mail')
    expect(mail).toMatchObject({ folder: 'requests', subject: 'Hello Bob', peer: alice.address })
    await deliveryOf(alice, id, bob.address)
    expect(await alice.status(id)).toEqual({ [bob.address]: 'delivered' })

    const read = await bob.mailbox.read(mail.id)
    expect(read.text?.trim()).toBe('First contact')
    expect(read.html).toContain('<b>contact</b>')
    expect(read.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['notes.txt', 'attached bytes'],
    ])

    // Bob answers: Alice wrote to him first, so he is her contact and his reply needs no stamp.
    const replying = nextMails(alice)
    await bob.send({
      to: alice.address,
      subject: 'Re: Hello Bob',
      text: 'Hi!',
      inReplyTo: mail.id,
    })
    const [reply] = await replying
    expect(reply).toMatchObject({
      folder: 'inbox',
      peer: bob.address,
      threadId: (await alice.mailbox.store.get(id)).threadId,
    })
  })

  test('accepting a request moves the sender to contacts and their mail to the inbox', async ({
    network,
  }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')
    const arriving = nextMails(bob, 2)
    await alice.send({ to: bob.address, subject: 'one', text: '1' })
    await alice.send({ to: bob.address, subject: 'two', text: '2' })
    await arriving
    expect((await bob.mailbox.list({ folder: 'requests' })).length).toBe(2)

    expect(await bob.acceptRequest(alice.address)).toBe(2)
    expect(await bob.mailbox.list({ folder: 'requests' })).toEqual([])
    expect((await bob.mailbox.list({ folder: 'inbox' })).map((m) => m.subject).sort()).toEqual([
      'one',
      'two',
    ])
    expect(await bob.mailbox.store.contacts.get(alice.address)).toMatchObject({ blocked: false })
  })

  test("a mail to several peers is sealed for each; Bcc reaches its peer but is in nobody's copy", async ({
    network,
  }) => {
    const [alice, bob, carol, dave] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map((name) => network.open(name)),
    )
    if (!alice || !bob || !carol || !dave) throw new Error('accounts')
    const got = [nextMails(bob), nextMails(carol), nextMails(dave)]
    const { id } = await alice.send({
      to: bob.address,
      cc: [carol.address],
      bcc: `Dave <${dave.address}>`,
      subject: 'Team',
      text: 'to all',
    })
    const mails = (await Promise.all(got)).flat()
    expect(mails.map((m) => m.subject)).toEqual(['Team', 'Team', 'Team'])
    // Every copy, Dave's included, is the same bytes: no Bcc header, and Dave's address nowhere.
    for (const [i, account] of [bob, carol, dave].entries()) {
      const raw = (await account.mailbox.store.raw(mails[i]?.id ?? '')).toString()
      expect(raw).toContain(bob.address)
      expect(raw).not.toMatch(/^bcc:/im)
      expect(raw).not.toContain(dave.address)
    }
    for (const peer of [bob, carol, dave]) await deliveryOf(alice, id, peer.address)
  })

  test('ten peers all mailing each other: every mail arrives exactly once', async ({ network }) => {
    const names = Array.from({ length: 10 }, (_, i) => `peer${i}`)
    const peers = await Promise.all(names.map((name) => network.open(name)))
    const arriving = peers.map((peer) => nextMails(peer, peers.length - 1))
    await Promise.all(
      peers.map((from, i) =>
        Promise.all(
          peers
            .filter((_, j) => j !== i)
            .map((to) => {
              const j = peers.indexOf(to)
              return from.send({ to: to.address, subject: `from ${i} to ${j}`, text: 'hi' })
            }),
        ),
      ),
    )
    const received = await Promise.all(arriving)
    for (const [j, mails] of received.entries()) {
      const subjects = mails.map((m) => m.subject).sort()
      const expected = names.flatMap((_, i) => (i === j ? [] : [`from ${i} to ${j}`])).sort()
      expect(subjects).toEqual(expected)
      // Inbox or Requests depends on who wrote first (writing to someone makes them a contact).
      const counts = await peers[j]?.mailbox.counts()
      expect((counts?.inbox?.total ?? 0) + (counts?.requests?.total ?? 0)).toBe(peers.length - 1)
    }
  })

  test('a peer that stops knowing us refuses unstamped mail, and it is sent again with a stamp', async ({
    network,
  }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')
    const toBob = nextMails(bob)
    await alice.send({ to: bob.address, subject: 'hi', text: '1' })
    await toBob
    const toAlice = nextMails(alice)
    await bob.send({ to: alice.address, subject: 're: hi', text: '2' }) // now Alice is Bob's contact
    await toAlice
    const known = nextMails(bob)
    await alice.send({ to: bob.address, subject: 'as a contact', text: '3' })
    expect((await known)[0]?.folder).toBe('inbox')

    // Bob forgets Alice; her next mail goes out unstamped, is refused, and comes back with a stamp.
    await bob.mailbox.store.contacts.remove(alice.address)
    const again = nextMails(bob)
    const { id } = await alice.send({ to: bob.address, subject: 'as a stranger', text: '4' })
    const [mail] = await again
    expect(mail).toMatchObject({ folder: 'requests', subject: 'as a stranger' })
    await deliveryOf(alice, id, bob.address)
  })

  test('a recipient typed in upper case is one recipient, under its canonical address', async ({
    network,
  }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')
    const arriving = nextMails(bob)
    const { id } = await alice.send({ to: bob.address.toUpperCase(), subject: 'caps', text: 'x' })
    await arriving
    await deliveryOf(alice, id, bob.address)
    expect(await alice.status(id)).toEqual({ [bob.address]: 'delivered' })
  })
})
