import { describe, expect } from 'vitest'
import type { Account, Bridge } from '../../../src/index.js'
import type { DeliveryEvent } from '../../../src/client/index.js'
import { newMessageId } from '../../../src/mailbox/ids.js'
import { requirePeerIdentity, type SyncEngine } from '../../../src/sync/index.js'
import { peerMailAddress } from '../../../src/sync/peer-address.js'
import { bridgeDkim, DOMAIN, startBridge, until } from '../../helpers/bridge/bridge.js'
import { smtpClient } from '../../helpers/bridge/smtp.js'
import { startWorld, type World, type WorldBehaviour } from '../../helpers/bridge/world.js'
import { nextMails, test, type TestNetwork } from '../../helpers/network.js'

const ALICE = `alice@${DOMAIN}`

async function setup(network: TestNetwork, world: WorldBehaviour = {}) {
  const outside = await startWorld(world)
  const bridge = await startBridge(
    network,
    'bridge',
    {},
    { smarthost: outside.url, dkim: bridgeDkim.options, outbound: { retryDelaysMs: [200, 400] } },
  )
  const alice = await network.open('alice')
  await alice.addAlias(ALICE, bridge.address)
  return { outside, bridge, alice }
}

async function teardown(bridge: Bridge, outside: World): Promise<void> {
  await bridge.close()
  await outside.close()
}

/**
 * The `delivery` events the account emits from now on about Sent copies (the submission to the bridge
 * has receipt events of its own, under an id that names no stored message).
 */
function deliveries(account: Account): DeliveryEvent[] {
  const seen: DeliveryEvent[] = []
  account.on('delivery', (update) => {
    if (!update.recipient.startsWith('pm1')) seen.push(update)
  })
  return seen
}

/** An RFC 3464 report as a bridge would write it, with whatever envelope id and recipients given. */
function forgedReport(
  envid: string,
  inReplyTo: string,
  recipients: [string, 'delivered' | 'failed'][],
  from = `mailer-daemon@${DOMAIN}`,
): Buffer {
  const groups = recipients
    .map(([r, action]) => `Final-Recipient: rfc822; ${r}\r\nAction: ${action}\r\nStatus: 2.0.0\r\n`)
    .join('\r\n')
  return Buffer.from(
    `From: <${from}>\r\nTo: <${ALICE}>\r\nSubject: Delivered: report\r\n` +
      `Message-ID: <${newMessageId()}@forged.test>\r\nIn-Reply-To: ${inReplyTo}\r\n` +
      'MIME-Version: 1.0\r\n' +
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n' +
      '--b1\r\nContent-Type: text/plain\r\n\r\nYour mail was delivered.\r\n' +
      '--b1\r\nContent-Type: message/delivery-status\r\n\r\n' +
      `Reporting-MTA: dns; ${DOMAIN}\r\nOriginal-Envelope-Id: ${envid}\r\n\r\n${groups}` +
      '--b1--\r\n',
  )
}

/** Mails `raw` to Alice's alias over SMTP: it reaches her in the bridge's pair log, like a report. */
async function throughTheBridge(bridge: Bridge, raw: Buffer, alias = ALICE): Promise<void> {
  await smtpClient(bridge.smtpPort).sendMail({
    envelope: { from: 'postmaster@sender.test', to: [alias] },
    raw,
  })
}

/** The envelope id Alice gave the one submission she is waiting on. */
async function pendingEnvelopeId(alice: Account): Promise<string> {
  const [entry] = await alice.mailbox.store.state.list('bridge/report/')
  return entry?.name.slice('bridge/report/'.length) ?? ''
}

describe('bridge: delivery reports', () => {
  test('an ordinary recipient goes queued → delivered, with a delivery event and no mail in the inbox', async ({
    network,
  }) => {
    let release = () => {}
    const hold = new Promise<void>((resolve) => (release = resolve))
    const { outside, bridge, alice } = await setup(network, { hold })
    try {
      const events = deliveries(alice)
      const { id } = await alice.send({ to: 'Carol <Carol@World.test>', subject: 'hi', text: 'x' })
      // The destination has not answered yet: nothing can have been reported.
      expect(await alice.status(id)).toEqual({ 'carol@world.test': 'queued' })
      release()
      await until(() => Promise.resolve(events.length > 0))
      expect(events).toEqual([{ id, recipient: 'carol@world.test', state: 'delivered' }])
      expect(await alice.status(id)).toEqual({ 'carol@world.test': 'delivered' })
      expect(await alice.mailbox.store.state.list('bridge/report/')).toEqual([])

      // Mail after the report in the same log arrives; the report itself was never stored.
      const arriving = nextMails(alice)
      await throughTheBridge(
        bridge,
        Buffer.from(`From: <c@sender.test>\r\nSubject: later\r\n\r\nx\r\n`),
      )
      await arriving
      const inbox = await alice.mailbox.list({ folder: 'inbox' })
      expect(inbox.map((m) => m.subject)).toEqual(['later'])
      expect(events).toHaveLength(1)
    } finally {
      await teardown(bridge, outside)
    }
  })

  test('a permanent failure: failed for that recipient, delivered for the other, the bounce in the inbox', async ({
    network,
  }) => {
    const { outside, bridge, alice } = await setup(network, { refuse: ['nobody@world.test'] })
    try {
      const events = deliveries(alice)
      const bounced = nextMails(alice)
      const { id } = await alice.send({
        to: ['nobody@world.test', 'carol@world.test'],
        subject: 'half of it',
        text: 'x',
      })
      const [bounce] = await bounced
      expect(bounce?.subject).toBe('Undelivered mail: half of it')
      expect(await alice.status(id)).toEqual({
        'nobody@world.test': 'failed',
        'carol@world.test': 'delivered',
      })
      expect(events.map((e) => [e.recipient, e.state]).sort()).toEqual([
        ['carol@world.test', 'delivered'],
        ['nobody@world.test', 'failed'],
      ])
      const read = await alice.mailbox.read(bounce?.id ?? '')
      expect(read.text).toContain('nobody@world.test')
      expect((await alice.mailbox.list({ folder: 'inbox' })).length).toBe(1)
    } finally {
      await teardown(bridge, outside)
    }
  })

  test('reports that are not the bridge’s word about this mail and its recipients change nothing', async ({
    network,
  }) => {
    let release = () => {}
    const hold = new Promise<void>((resolve) => (release = resolve))
    const { outside, bridge, alice } = await setup(network, { hold })
    try {
      // Bob and Alice know each other (so his mail reaches her inbox, and he can seal to her at once).
      const bob = await network.open('bob')
      const greeted = nextMails(bob)
      await alice.send({ to: bob.address, subject: 'hello Bob', text: 'x' })
      await greeted
      const all = deliveries(alice)
      const { id } = await alice.send({ to: 'carol@world.test', subject: 'hi', text: 'x' })
      const events = () => all.filter((e) => e.id === id)
      const messageId = (await alice.mailbox.read(id)).messageId ?? ''
      const envid = await pendingEnvelopeId(alice)
      expect(envid).toMatch(/^[0-9a-f]{32}$/)

      // In the bridge's log: a message Alice never sent, a recipient this one did not have, the
      // right id under another Message-ID. Anyone on the Internet can put mail in that log.
      await throughTheBridge(
        bridge,
        forgedReport('0'.repeat(32), messageId, [['carol@world.test', 'delivered']]),
      )
      await throughTheBridge(
        bridge,
        forgedReport(envid, messageId, [['mallory@world.test', 'delivered']]),
      )
      // A report with a failure is mail to read: this one and Bob's below are stored, which also
      // says the success reports before it in the bridge's log were read (and dropped).
      const stored = nextMails(alice, 2)
      await throughTheBridge(
        bridge,
        forgedReport(envid, '<other@x.test>', [['carol@world.test', 'failed']]),
      )
      // From a peer that is not her bridge: read as Bob's own mail, stored, and nothing else.
      await sealFrom(
        bob,
        alice,
        forgedReport(envid, messageId, [['carol@world.test', 'failed']], bobMail(bob)),
      )
      expect((await stored).map((m) => m.peer).sort()).toEqual([bridge.address, bob.address].sort())

      expect(await alice.status(id)).toEqual({ 'carol@world.test': 'queued' })
      expect(events()).toEqual([])
      expect(await pendingEnvelopeId(alice)).toBe(envid)

      // The bridge's own report still counts; a second one saying otherwise changes nothing.
      release()
      await until(() => Promise.resolve(events().length > 0))
      expect(await alice.status(id)).toEqual({ 'carol@world.test': 'delivered' })
      const marker = nextMails(alice)
      await throughTheBridge(
        bridge,
        forgedReport(envid, messageId, [['carol@world.test', 'failed']]),
      )
      await marker
      expect(await alice.status(id)).toEqual({ 'carol@world.test': 'delivered' })
      expect(events()).toHaveLength(1)
    } finally {
      await teardown(bridge, outside)
    }
  })

  test('another of her bridges cannot report on mail submitted to the first', async ({
    network,
  }) => {
    let release = () => {}
    const hold = new Promise<void>((resolve) => (release = resolve))
    const { outside, bridge, alice } = await setup(network, { hold })
    // A second bridge (same domain, its own identity): Alice holds zed@ there, so it is a carrier too.
    const other = await startBridge(network, 'other-bridge')
    try {
      await alice.addAlias(`zed@${DOMAIN}`, other.address)
      const events = deliveries(alice)
      // Submitted through her first alias's bridge (alice@ sorts before zed@).
      const { id } = await alice.send({ to: 'carol@world.test', subject: 'hi', text: 'x' })
      const messageId = (await alice.mailbox.read(id)).messageId ?? ''
      const envid = await pendingEnvelopeId(alice)
      const stored = nextMails(alice)
      await throughTheBridge(
        other,
        forgedReport(envid, messageId, [['carol@world.test', 'failed']]),
        `zed@${DOMAIN}`,
      )
      expect((await stored)[0]?.peer).toBe(other.address)
      expect(await alice.status(id)).toEqual({ 'carol@world.test': 'queued' })
      expect(events).toEqual([])
      release()
      await until(() => Promise.resolve(events.length > 0))
      expect(await alice.status(id)).toEqual({ 'carol@world.test': 'delivered' })
    } finally {
      await other.close()
      await teardown(bridge, outside)
    }
  })
})

function bobMail(bob: Account): string {
  return peerMailAddress(requirePeerIdentity(bob.address))
}

/** Seals `raw` into Bob's pair log to Alice, as Bob's node would, bypassing the library's composer. */
async function sealFrom(bob: Account, alice: Account, raw: Buffer): Promise<void> {
  const sync = (bob as unknown as { sync: SyncEngine }).sync
  const to = requirePeerIdentity(alice.address)
  await until(
    async () => (await bob.mailbox.store.state.get(`peer/${to.toString('hex')}`)) !== undefined,
  )
  await sync.send([{ raw, peers: [to] }], async (changesFor) => {
    await bob.mailbox.store.commit({ state: changesFor(0, newMessageId()) })
  })
}
