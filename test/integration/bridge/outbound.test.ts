import { authenticate } from 'mailauth'
import { createTransport } from 'nodemailer'
import { describe, expect } from 'vitest'
import { composeSubmission } from '../../../src/bridge/submission.js'
import { startLocalSubmission } from '../../../src/client/local-submission.js'
import { renewSubmissionPassword } from '../../../src/client/submission-password.js'
import { newMessageId } from '../../../src/mailbox/ids.js'
import type { Account, Bridge } from '../../../src/index.js'
import { requirePeerIdentity, type SyncEngine } from '../../../src/sync/index.js'
import { peerMailAddress } from '../../../src/sync/peer-address.js'
import {
  bridgeDkim,
  DOMAIN,
  logWatcher,
  startBridge,
  until,
  worldResolver,
} from '../../helpers/bridge/bridge.js'
import { startWorld, type World, type WorldBehaviour } from '../../helpers/bridge/world.js'
import { nextMails, test, type TestNetwork } from '../../helpers/network.js'

const FAST_RETRIES = { retryDelaysMs: [200, 400, 800] }

async function setup(network: TestNetwork, world: WorldBehaviour = {}) {
  const outside = await startWorld(world)
  const watch = logWatcher()
  const bridge = await startBridge(
    network,
    'bridge',
    {},
    { smarthost: outside.url, dkim: bridgeDkim.options, outbound: FAST_RETRIES, log: watch.log },
  )
  const alice = await network.open('alice')
  await alice.addAlias(`alice@${DOMAIN}`, bridge.address)
  return { outside, bridge, alice, watch }
}

async function teardown(bridge: Bridge, outside: World): Promise<void> {
  await bridge.close()
  await outside.close()
}

/** Submits `legacy` for `rcpt` as `account` would, bypassing the library's own checks (an attacker). */
async function submitRaw(account: Account, bridge: Bridge, legacy: Buffer, rcpt: string[]) {
  const sync = (account as unknown as { sync: SyncEngine }).sync
  const mailbox = account.mailbox.store
  // The sender must know the bridge's keys (from a hello) to seal to it at once.
  await until(
    async () => (await mailbox.state.get(`peer/${bridge.publicKey.toString('hex')}`)) !== undefined,
  )
  const submission = await composeSubmission(
    peerMailAddress(requirePeerIdentity(account.address)),
    peerMailAddress(bridge.publicKey),
    legacy,
    rcpt,
  )
  await sync.send([{ raw: submission, peers: [bridge.publicKey] }], async (changesFor) => {
    await mailbox.commit({ state: changesFor(0, newMessageId()) })
  })
}

function legacyFrom(from: string, subject: string): Buffer {
  return Buffer.from(
    `From: <${from}>\r\nTo: <victim@world.test>\r\nSubject: ${subject}\r\n` +
      `Message-ID: <${Math.random().toString(36).slice(2)}@x.test>\r\n\r\nbody\r\n`,
  )
}

describe('bridge: outbound', () => {
  test('mixed recipients: peers get sealed copies, the world one DKIM-signed copy from the alias', async ({
    network,
  }) => {
    const { outside, bridge, alice } = await setup(network)
    try {
      const bob = await network.open('bob')
      const arriving = nextMails(bob)
      const { id } = await alice.send({
        to: [bob.address, 'Carol <carol@world.test>'],
        bcc: 'dave@world.test',
        subject: 'to both worlds',
        text: 'one mail, two roads',
      })
      const [peerCopy] = await arriving
      // Bob's copy came over his pair log from Alice, with her Peermail address: never downgraded.
      expect(peerCopy?.peer).toBe(alice.address)
      expect(peerCopy?.from[0]?.address).toBe(peerMailAddress(requirePeerIdentity(alice.address)))

      const [legacy] = await outside.waitFor(1)
      expect(legacy?.from).toBe(`alice@${DOMAIN}`)
      expect(legacy?.to.sort()).toEqual(['carol@world.test', 'dave@world.test'])
      const raw = legacy?.raw ?? Buffer.alloc(0)
      const text = raw.toString()
      expect(text).toMatch(/^From: <alice@bridge\.test>\r$/m)
      expect(text).not.toMatch(/^Bcc:/im)
      expect(text).toContain('one mail, two roads')
      const checked = await authenticate(raw, {
        ip: '127.0.0.1',
        helo: DOMAIN,
        sender: `alice@${DOMAIN}`,
        mta: 'world.test',
        resolver: worldResolver,
        disableBimi: true,
      })
      expect(checked.dkim.results[0]?.status.result).toBe('pass')
      expect(checked.dkim.results[0]?.signingDomain).toBe(DOMAIN)

      const status = await alice.status(id)
      expect(Object.keys(status).sort()).toEqual(
        [bob.address, 'carol@world.test', 'dave@world.test'].sort(),
      )
      expect(outside.received).toHaveLength(1)
    } finally {
      await teardown(bridge, outside)
    }
  })

  test('a mail client sending through local submission reaches ordinary addresses from the alias', async ({
    network,
  }) => {
    const { outside, bridge, alice } = await setup(network)
    const server = await startLocalSubmission(alice)
    const client = createTransport({
      host: '127.0.0.1',
      port: server.port,
      ignoreTLS: true,
      auth: { user: `alice@${DOMAIN}`, pass: await renewSubmissionPassword(alice) },
    })
    try {
      // The client writes its From as the alias, as it would be configured to.
      await client.sendMail({
        from: `Alice <alice@${DOMAIN}>`,
        to: 'Carol <carol@world.test>',
        bcc: 'dave@world.test',
        subject: 'from Thunderbird',
        text: 'through the bridge',
      })
      const [legacy] = await outside.waitFor(1)
      expect(legacy?.from).toBe(`alice@${DOMAIN}`)
      expect(legacy?.to.sort()).toEqual(['carol@world.test', 'dave@world.test'])
      const text = legacy?.raw.toString() ?? ''
      expect(text).toMatch(/^From: <alice@bridge\.test>\r$/m)
      expect(text).not.toContain('dave@world.test')
      expect(text).toContain('through the bridge')
      const [sent] = await alice.mailbox.list({ folder: 'sent' })
      expect(sent?.subject).toBe('from Thunderbird')
    } finally {
      client.close()
      await server.close()
      await teardown(bridge, outside)
    }
  })

  test('a destination that is down is retried and the mail delivered later', async ({
    network,
  }) => {
    const { outside, bridge, alice, watch } = await setup(network, { failFirst: 2 })
    try {
      await alice.send({ to: 'carol@world.test', subject: 'patience', text: 'x' })
      const [got] = await outside.waitFor(1)
      expect(got?.to).toEqual(['carol@world.test'])
      await watch.count('outbound-attempt', 3)
      const attempts = watch.seen.filter((e) => e.event === 'outbound-attempt')
      expect(attempts.map((e) => e.detail.temporary)).toEqual([1, 1, 0])
      await until(async () => (await bridge.queueLength()) === 0)
    } finally {
      await teardown(bridge, outside)
    }
  })

  test('a permanent failure comes back as a bounce in the inbox; other recipients still get it', async ({
    network,
  }) => {
    const { outside, bridge, alice } = await setup(network, { refuse: ['nobody@world.test'] })
    try {
      const bounced = nextMails(alice)
      await alice.send({
        to: ['nobody@world.test', 'carol@world.test'],
        subject: 'half of it',
        text: 'x',
      })
      const [bounce] = await bounced
      expect(bounce?.folder).toBe('inbox')
      expect(bounce?.subject).toBe('Undelivered mail: half of it')
      expect(bounce?.from[0]?.address).toBe(`mailer-daemon@${DOMAIN}`)
      const read = await alice.mailbox.read(bounce?.id ?? '')
      expect(read.text).toContain('nobody@world.test')
      expect(read.text).not.toContain('carol@world.test')
      expect(outside.received.map((r) => r.to)).toEqual([['carol@world.test']])
    } finally {
      await teardown(bridge, outside)
    }
  })

  test('never an open relay: unregistered senders and spoofed From aliases send nothing', async ({
    network,
  }) => {
    const { outside, bridge, alice, watch } = await setup(network)
    try {
      // Bob holds no alias: the library will not even try, and a hand-made submission is dropped.
      const bob = await network.open('bob')
      // Bob asks for an alias in a domain the bridge does not serve: refused, but now they have met.
      await expect(bob.addAlias('bob@elsewhere.test', bridge.address)).rejects.toThrow(
        expect.objectContaining({ code: 'BRIDGE_ALIAS_REFUSED' }),
      )
      await expect(bob.send({ to: 'victim@world.test', subject: 'x', text: 'x' })).rejects.toThrow(
        expect.objectContaining({ code: 'NOT_A_PEER_ADDRESS' }),
      )
      for (const from of [`bob@${DOMAIN}`, `alice@${DOMAIN}`, 'ceo@world.test']) {
        const refused = watch.next('submission-refused')
        await submitRaw(bob, bridge, legacyFrom(from, 'from bob'), ['victim@world.test'])
        await refused
      }
      expect(
        watch.seen.filter((e) => e.event === 'submission-refused').map((e) => e.detail.reason),
      ).toEqual(['not-registered', 'not-registered', 'not-registered'])

      // Alice holds alice@ but not carol@ (Carol's) nor an outside address: refused, and told.
      const carol = await network.open('carol')
      await carol.addAlias(`carol@${DOMAIN}`, bridge.address)
      for (const from of [`carol@${DOMAIN}`, 'ceo@world.test']) {
        const refused = watch.next('submission-refused')
        const told = nextMails(alice)
        await submitRaw(alice, bridge, legacyFrom(from, 'spoof'), ['victim@world.test'])
        await refused
        const [bounce] = await told
        expect(bounce?.subject).toBe('Undelivered mail: spoof')
      }
      expect(await bridge.queueLength()).toBe(0)
      expect(outside.received).toHaveLength(0)

      // The same path with her own alias goes out: the refusals above were about the sender alone.
      await submitRaw(alice, bridge, legacyFrom(`alice@${DOMAIN}`, 'mine'), ['victim@world.test'])
      const [sent] = await outside.waitFor(1)
      expect(sent?.from).toBe(`alice@${DOMAIN}`)
      expect(outside.received).toHaveLength(1)
    } finally {
      await teardown(bridge, outside)
    }
  })
})

describe('bridge: outbound queue', () => {
  test('queued mail survives a bridge restart and leaves once the destination is back', async ({
    network,
  }) => {
    // A port where nothing listens yet: the first attempts fail to connect (temporary).
    const probe = await startWorld()
    const port = probe.port
    await probe.close()
    const watch = logWatcher()
    const options = {
      smarthost: `smtp://127.0.0.1:${port}`,
      dkim: bridgeDkim.options,
      outbound: { retryDelaysMs: [100, 200, 400, 800, 1600] },
    }
    let bridge = await startBridge(network, 'bridge', {}, { ...options, log: watch.log })
    let outside: World | undefined
    try {
      const alice = await network.open('alice')
      await alice.addAlias(`alice@${DOMAIN}`, bridge.address)
      const { id } = await alice.send({
        to: 'carol@world.test',
        subject: 'kept in the queue',
        text: 'x',
      })
      await watch.count('outbound-attempt', 1)
      expect(await bridge.queueLength()).toBe(1)
      await bridge.close()

      outside = await startWorld({}, port)
      bridge = await startBridge(network, 'bridge', {}, options)
      const [got] = await outside.waitFor(1)
      expect(got?.raw.toString()).toContain('kept in the queue')
      await until(async () => (await bridge.queueLength()) === 0)
      expect(outside.received).toHaveLength(1)
      // The report was sealed before the entry was settled, so it survived the restart with it.
      await until(async () => (await alice.status(id))['carol@world.test'] === 'delivered')
    } finally {
      await bridge.close()
      await outside?.close()
    }
  })
})
