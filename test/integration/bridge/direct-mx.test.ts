/**
 * A bridge without a smarthost delivers straight to each recipient domain's MX hosts: real SMTP to
 * stand-in mail hosts on 127.0.0.1, MX/A records from a fixed zone, each host on its own port.
 */
import { authenticate } from 'mailauth'
import { describe, expect } from 'vitest'
import type { Bridge } from '../../../src/index.js'
import {
  bridgeDkim,
  DOMAIN,
  logWatcher,
  startBridge,
  until,
  worldResolver,
} from '../../helpers/bridge/bridge.js'
import { freePort, zoneResolver, type ZoneEntry } from '../../helpers/bridge/dns.js'
import { startWorld, type Received, type World } from '../../helpers/bridge/world.js'
import { nextMails, test, type TestNetwork } from '../../helpers/network.js'

const FAST_RETRIES = { retryDelaysMs: [200, 400, 800, 1600, 3200] }
const HOST = { A: ['127.0.0.1'] }

/** A bridge for bridge.test whose direct delivery sees `zone` and finds MX host `name` on `ports[name]`. */
async function setup(
  network: TestNetwork,
  zone: Record<string, ZoneEntry>,
  ports: Record<string, number>,
) {
  const watch = logWatcher()
  const bridge = await startBridge(
    network,
    'bridge',
    {},
    {
      direct: {
        resolver: zoneResolver(zone),
        port: (host) => ports[host] ?? 1,
        timeoutMs: 10_000,
        allowPrivateAddresses: true,
      },
      dkim: bridgeDkim.options,
      outbound: FAST_RETRIES,
      log: watch.log,
    },
  )
  const alice = await network.open('alice')
  await alice.addAlias(`alice@${DOMAIN}`, bridge.address)
  return { bridge, alice, watch }
}

async function closeAll(bridge: Bridge | undefined, worlds: (World | undefined)[]): Promise<void> {
  await bridge?.close()
  for (const world of worlds) await world?.close()
}

async function dkimResult(received: Received | undefined) {
  const checked = await authenticate(received?.raw ?? Buffer.alloc(0), {
    ip: '127.0.0.1',
    helo: DOMAIN,
    sender: `alice@${DOMAIN}`,
    mta: 'world.test',
    resolver: worldResolver,
    disableBimi: true,
  })
  return checked.dkim.results[0]
}

describe('bridge: direct MX delivery', () => {
  test('two domains, two MX hosts: both delivered, DKIM-valid; a dead first MX falls through to the second', async ({
    network,
  }) => {
    const one = await startWorld()
    const two = await startWorld()
    const dead = await freePort()
    const { bridge, alice } = await setup(
      network,
      {
        'one.test': { MX: [{ exchange: 'mx.one.test', priority: 10 }] },
        'two.test': {
          MX: [
            { exchange: 'backup.two.test', priority: 50 },
            { exchange: 'mx.two.test', priority: 10 },
          ],
        },
        'mx.one.test': HOST,
        'mx.two.test': HOST,
        'backup.two.test': HOST,
      },
      { 'mx.one.test': one.port, 'mx.two.test': dead, 'backup.two.test': two.port },
    )
    try {
      await alice.send({
        to: ['carol@one.test', 'dave@two.test'],
        subject: 'two domains',
        text: 'straight to their MX',
      })
      const [toOne] = await one.waitFor(1)
      const [toTwo] = await two.waitFor(1)
      expect(toOne?.to).toEqual(['carol@one.test'])
      expect(toTwo?.to).toEqual(['dave@two.test'])
      for (const got of [toOne, toTwo]) {
        expect(got?.from).toBe(`alice@${DOMAIN}`)
        expect(got?.raw.toString()).toContain('straight to their MX')
        const dkim = await dkimResult(got)
        expect(dkim?.status.result).toBe('pass')
        expect(dkim?.signingDomain).toBe(DOMAIN)
      }
      await until(async () => (await bridge.queueLength()) === 0)
      expect(one.received).toHaveLength(1)
      expect(two.received).toHaveLength(1)
    } finally {
      await closeAll(bridge, [one, two])
    }
  })

  test('a null MX bounces at once, into the sender’s inbox', async ({ network }) => {
    const { bridge, alice, watch } = await setup(
      network,
      { 'nomail.test': { MX: [{ exchange: '', priority: 0 }] } },
      {},
    )
    try {
      const bounced = nextMails(alice)
      await alice.send({ to: 'someone@nomail.test', subject: 'into the void', text: 'x' })
      const [bounce] = await bounced
      expect(bounce?.folder).toBe('inbox')
      expect(bounce?.subject).toBe('Undelivered mail: into the void')
      const read = await alice.mailbox.read(bounce?.id ?? '')
      expect(read.text).toContain('someone@nomail.test')
      expect(read.text).toContain('null MX')
      // One attempt settled it: a null MX is not retried.
      expect(watch.seen.filter((e) => e.event === 'outbound-attempt')).toHaveLength(1)
      await until(async () => (await bridge.queueLength()) === 0)
    } finally {
      await closeAll(bridge, [])
    }
  })

  test('every MX down: retried, and delivered once one comes up', async ({ network }) => {
    const first = await freePort()
    const second = await freePort()
    const { bridge, alice, watch } = await setup(
      network,
      {
        'later.test': {
          MX: [
            { exchange: 'mx1.later.test', priority: 10 },
            { exchange: 'mx2.later.test', priority: 20 },
          ],
        },
        'mx1.later.test': HOST,
        'mx2.later.test': HOST,
      },
      { 'mx1.later.test': first, 'mx2.later.test': second },
    )
    let world: World | undefined
    try {
      await alice.send({ to: 'erin@later.test', subject: 'eventually', text: 'x' })
      await watch.count('outbound-attempt', 2)
      expect(await bridge.queueLength()).toBe(1)
      world = await startWorld({}, second)
      const [got] = await world.waitFor(1)
      expect(got?.to).toEqual(['erin@later.test'])
      expect(got?.raw.toString()).toContain('eventually')
      await until(async () => (await bridge.queueLength()) === 0)
      const attempts = watch.seen.filter((e) => e.event === 'outbound-attempt')
      expect(attempts.slice(0, 2).map((e) => e.detail.temporary)).toEqual([1, 1])
      expect(attempts.at(-1)?.detail.accepted).toBe(1)
    } finally {
      await closeAll(bridge, [world])
    }
  })
})
