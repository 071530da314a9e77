/** Direct MX delivery on its own: real SMTP to mail hosts on 127.0.0.1, DNS from a fixed zone. */
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import { afterEach, describe, expect, it } from 'vitest'
import { directRelay, type DirectDeliveryOptions } from '../../../src/bridge/direct-relay.js'
import { freePort, zoneResolver, type ZoneEntry } from '../../helpers/bridge/dns.js'
import { selfSignedCert } from '../../helpers/bridge/smtp.js'
import { startWorld, type World, type WorldBehaviour } from '../../helpers/bridge/world.js'

const RAW = Buffer.from('From: <alice@bridge.test>\r\nSubject: hello\r\n\r\nbody\r\n')
const FROM = 'alice@bridge.test'

const worlds: World[] = []
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()))
})

async function world(behaviour: WorldBehaviour = {}): Promise<World> {
  const started = await startWorld(behaviour)
  worlds.push(started)
  return started
}

/** A relay whose MX host `name` listens on `ports[name]` of 127.0.0.1. */
function relay(zone: Record<string, ZoneEntry>, ports: Record<string, number>) {
  const options: DirectDeliveryOptions = {
    resolver: zoneResolver(zone),
    port: (host) => ports[host] ?? 1,
    timeoutMs: 10_000,
    // The stand-in mail hosts are on 127.0.0.1.
    allowPrivateAddresses: true,
  }
  return directRelay('bridge.test', options)
}

const host = { A: ['127.0.0.1'] }

describe('direct MX delivery', () => {
  it('groups recipients by domain and gives each domain its own MX host', async () => {
    const one = await world()
    const two = await world()
    const send = relay(
      {
        'one.test': { MX: [{ exchange: 'mx.one.test', priority: 10 }] },
        'two.test': { MX: [{ exchange: 'mx.two.test', priority: 10 }] },
        'mx.one.test': host,
        'mx.two.test': host,
      },
      { 'mx.one.test': one.port, 'mx.two.test': two.port },
    )
    const result = await send.send(RAW, FROM, ['a@one.test', 'b@two.test', 'c@ONE.test'])
    // nodemailer reports accepted addresses with the domain in lower case.
    expect(result.accepted.sort()).toEqual(['a@one.test', 'b@two.test', 'c@one.test'])
    expect(result.permanent).toEqual([])
    expect(result.temporary).toEqual([])
    expect(one.received.map((r) => r.to)).toEqual([['a@one.test', 'c@one.test']])
    expect(two.received.map((r) => r.to)).toEqual([['b@two.test']])
    expect(one.received[0]?.from).toBe(FROM)
    expect(one.received[0]?.raw.toString()).toContain('Subject: hello')
  })

  it('passes to the next MX when the best one is down or answers 4xx, never after a 5xx', async () => {
    const down = await freePort()
    const busy = await world({ failFirst: 1 })
    const strict = await world({ refuse: ['gone@c.test'] })
    const backup = await world()
    const send = relay(
      {
        'a.test': {
          MX: [
            { exchange: 'backup.test', priority: 30 },
            { exchange: 'down.test', priority: 10 },
          ],
        },
        'b.test': {
          MX: [
            { exchange: 'busy.test', priority: 10 },
            { exchange: 'backup.test', priority: 20 },
          ],
        },
        'c.test': {
          MX: [
            { exchange: 'strict.test', priority: 10 },
            { exchange: 'backup.test', priority: 20 },
          ],
        },
        'down.test': host,
        'busy.test': host,
        'strict.test': host,
        'backup.test': host,
      },
      {
        'down.test': down,
        'busy.test': busy.port,
        'strict.test': strict.port,
        'backup.test': backup.port,
      },
    )
    const result = await send.send(RAW, FROM, ['x@a.test', 'y@b.test', 'gone@c.test', 'z@c.test'])
    expect(result.accepted.sort()).toEqual(['x@a.test', 'y@b.test', 'z@c.test'])
    expect(result.permanent.map((p) => p.recipient)).toEqual(['gone@c.test'])
    expect(result.permanent[0]?.reason).toMatch(/^550 /)
    expect(result.temporary).toEqual([])
    expect(backup.received.map((r) => r.to).sort()).toEqual([['x@a.test'], ['y@b.test']])
    expect(strict.received.map((r) => r.to)).toEqual([['z@c.test']])
    expect(busy.received).toEqual([])
  })

  it('sorts DNS answers into final and passing failures', async () => {
    const plain = await world()
    const send = relay(
      {
        'nullmx.test': { MX: [{ exchange: '.', priority: 0 }] },
        'servfail.test': { error: 'ESERVFAIL' },
        'timeout.test': { error: 'ETIMEOUT' },
        'plain.test': host,
        'noaddress.test': { MX: [{ exchange: 'ghost.noaddress.test', priority: 1 }] },
        'nohost.test': { AAAA: [] },
      },
      { 'plain.test': plain.port },
    )
    const result = await send.send(RAW, FROM, [
      'a@nullmx.test',
      'b@nxdomain.test',
      'c@servfail.test',
      'd@timeout.test',
      'e@plain.test',
      'f@noaddress.test',
      'g@nohost.test',
      'h@[127.0.0.1]',
    ])
    expect(result.accepted).toEqual(['e@plain.test'])
    expect(plain.received.map((r) => r.to)).toEqual([['e@plain.test']])
    const reasons = Object.fromEntries(
      [...result.permanent, ...result.temporary].map((f) => [f.recipient, f.reason]),
    )
    expect(result.permanent.map((p) => p.recipient).sort()).toEqual([
      'a@nullmx.test',
      'b@nxdomain.test',
      // An MX host, or the domain itself, without an address: nowhere to deliver.
      'f@noaddress.test',
      'g@nohost.test',
      'h@[127.0.0.1]',
    ])
    expect(reasons['a@nullmx.test']).toContain('null MX')
    expect(reasons['b@nxdomain.test']).toContain('no such domain')
    // A DNS server in trouble may answer next time.
    expect(result.temporary.map((t) => t.recipient).sort()).toEqual([
      'c@servfail.test',
      'd@timeout.test',
    ])
    expect(reasons['c@servfail.test']).toContain('ESERVFAIL')
  })

  it('all MX hosts down: every recipient of the domain is temporary, with the reason', async () => {
    const send = relay(
      {
        'down.test': {
          MX: [
            { exchange: 'mx1.down.test', priority: 1 },
            { exchange: 'mx2.down.test', priority: 2 },
          ],
        },
        'mx1.down.test': host,
        'mx2.down.test': host,
      },
      { 'mx1.down.test': await freePort(), 'mx2.down.test': await freePort() },
    )
    const result = await send.send(RAW, FROM, ['a@down.test', 'b@down.test'])
    expect(result.accepted).toEqual([])
    expect(result.permanent).toEqual([])
    expect(result.temporary.map((t) => t.recipient)).toEqual(['a@down.test', 'b@down.test'])
    expect(result.temporary[0]?.reason).toMatch(/^mx2\.down\.test: /)
  })

  it('upgrades to STARTTLS when the mail host offers it, whatever its certificate', async () => {
    // A certificate for another name, signed by nobody we know: opportunistic TLS takes it anyway.
    const server = await tlsMailHost({})
    try {
      const result = await server.relay.send(RAW, FROM, ['a@tls.test'])
      expect(result.accepted).toEqual(['a@tls.test'])
      expect(server.secure).toEqual([true])
    } finally {
      await server.close()
    }
  })

  it('a STARTTLS handshake that fails is tried again in plaintext', async () => {
    // The host offers STARTTLS but speaks only TLS 1.0/1.1, which no current client accepts.
    const server = await tlsMailHost({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })
    try {
      const result = await server.relay.send(RAW, FROM, ['a@tls.test'])
      expect(result.accepted).toEqual(['a@tls.test'])
      expect(server.secure).toEqual([false])
    } finally {
      await server.close()
    }
  })

  it('by default connects to public addresses only: an MX inside our network is refused', async () => {
    const inside = await world()
    const send = directRelay('bridge.test', {
      resolver: zoneResolver({
        'loop.test': { MX: [{ exchange: 'mx.loop.test', priority: 1 }] },
        'mx.loop.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
        'lan.test': { MX: [{ exchange: '10.1.2.3', priority: 1 }] },
        'mapped.test': { AAAA: ['::ffff:192.168.1.1', 'fe80::1'] },
      }),
      port: inside.port,
    })
    const result = await send.send(RAW, FROM, ['a@loop.test', 'b@lan.test', 'c@mapped.test'])
    expect(result.accepted).toEqual([])
    expect(result.temporary).toEqual([])
    expect(result.permanent.map((p) => p.recipient).sort()).toEqual([
      'a@loop.test',
      'b@lan.test',
      'c@mapped.test',
    ])
    expect(result.permanent[0]?.reason).toContain('no public address')
    expect(inside.received).toEqual([])
  })

  it('refuses a port outside 1-65535', () => {
    expect(() => directRelay('bridge.test', { port: 70_000 })).toThrow(
      expect.objectContaining({ code: 'BRIDGE_INVALID_OPTIONS' }),
    )
  })
})

/** A mail host for tls.test offering STARTTLS with a self-signed certificate and `tls` settings. */
async function tlsMailHost(tls: { minVersion?: 'TLSv1'; maxVersion?: 'TLSv1.1' }) {
  const dir = await mkdtemp(join(tmpdir(), 'pm-mx-tls-'))
  const secure: boolean[] = []
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH'],
    ...(await selfSignedCert(dir, 'not-the-mx.test')),
    ...tls,
    onData: (stream, session, callback) => {
      stream.resume()
      stream.on('end', () => {
        secure.push(session.secure)
        callback()
      })
    },
  })
  server.on('error', () => {})
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.server.address() as AddressInfo
  return {
    secure,
    relay: relay(
      { 'tls.test': { MX: [{ exchange: 'mx.tls.test', priority: 1 }] }, 'mx.tls.test': host },
      { 'mx.tls.test': port },
    ),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      })
      await rm(dir, { recursive: true, force: true })
    },
  }
}
