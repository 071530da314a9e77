import { describe, expect, it } from 'vitest'
import { addressesOf, mailRouteFor } from '../../../src/bridge/mx.js'
import { isPublicAddress } from '../../../src/bridge/public-address.js'
import { zoneResolver } from '../../helpers/bridge/dns.js'

const resolver = zoneResolver({
  'ranked.test': {
    MX: [
      { exchange: 'backup.ranked.test', priority: 20 },
      { exchange: 'main.ranked.test.', priority: 5 },
      { exchange: 'last.ranked.test', priority: 90 },
    ],
  },
  'plain.test': { A: ['192.0.2.7'] },
  'nullmx.test': { MX: [{ exchange: '', priority: 0 }] },
  'broken.test': { error: 'ESERVFAIL' },
  'slow.test': { error: 'ETIMEOUT' },
  'dual.test': { A: ['192.0.2.1', 'not an address'], AAAA: ['2001:db8::1', '192.0.2.9'] },
  'v6only.test': { AAAA: ['2001:db8::2'] },
})

describe('mailRouteFor (RFC 5321 §5.1)', () => {
  it('orders MX hosts by preference, without the trailing dot', async () => {
    expect(await mailRouteFor('ranked.test', resolver)).toEqual({
      kind: 'hosts',
      hosts: ['main.ranked.test', 'backup.ranked.test', 'last.ranked.test'],
      implicit: false,
    })
  })

  it('falls back to the domain itself when it has no MX', async () => {
    expect(await mailRouteFor('plain.test', resolver)).toEqual({
      kind: 'hosts',
      hosts: ['plain.test'],
      implicit: true,
    })
  })

  it('a null MX (RFC 7505) and NXDOMAIN are permanent; SERVFAIL and timeouts are temporary', async () => {
    expect(await mailRouteFor('nullmx.test', resolver)).toMatchObject({ kind: 'permanent' })
    expect(await mailRouteFor('nowhere.test', resolver)).toMatchObject({
      kind: 'permanent',
      reason: expect.stringContaining('no such domain') as unknown,
    })
    expect(await mailRouteFor('broken.test', resolver)).toMatchObject({ kind: 'temporary' })
    expect(await mailRouteFor('slow.test', resolver)).toMatchObject({ kind: 'temporary' })
  })

  it('refuses what is not a domain name, and malformed answers', async () => {
    for (const domain of ['[192.0.2.1]', 'a..b', 'x_y z.test', ''])
      expect(await mailRouteFor(domain, resolver)).toMatchObject({ kind: 'permanent' })
    const liar = () => Promise.resolve([{ exchange: 42, priority: 'high' }])
    expect(await mailRouteFor('ranked.test', liar)).toMatchObject({ kind: 'temporary' })
    const notAList = () => Promise.resolve('mx.example')
    expect(await mailRouteFor('ranked.test', notAList)).toMatchObject({ kind: 'temporary' })
  })

  it('lists at most 10 hosts however many the zone names', async () => {
    const many = zoneResolver({
      'many.test': {
        MX: Array.from({ length: 50 }, (_, i) => ({ exchange: `mx${i}.many.test`, priority: i })),
      },
    })
    const route = await mailRouteFor('many.test', many)
    expect(route.kind === 'hosts' && route.hosts).toEqual(
      Array.from({ length: 10 }, (_, i) => `mx${i}.many.test`),
    )
  })
})

describe('addressesOf', () => {
  it('IPv4 first, then IPv6, ignoring rows of the wrong family', async () => {
    expect(await addressesOf('dual.test', resolver)).toEqual({
      kind: 'addresses',
      addresses: ['192.0.2.1', '2001:db8::1'],
    })
    expect(await addressesOf('v6only.test', resolver)).toEqual({
      kind: 'addresses',
      addresses: ['2001:db8::2'],
    })
    expect(await addressesOf('192.0.2.55', resolver)).toEqual({
      kind: 'addresses',
      addresses: ['192.0.2.55'],
    })
  })

  it('no such name or no address is permanent, a failing server temporary', async () => {
    expect(await addressesOf('nowhere.test', resolver)).toMatchObject({ kind: 'permanent' })
    expect(await addressesOf('nullmx.test', resolver)).toMatchObject({ kind: 'permanent' })
    expect(await addressesOf('broken.test', resolver)).toMatchObject({ kind: 'temporary' })
  })
})

describe('isPublicAddress', () => {
  it('tells public addresses from loopback, private, link-local and the like', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2a00:1450::1', '2606:4700::1111'])
      expect(isPublicAddress(address), address).toBe(true)
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.1.1',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ])
      expect(isPublicAddress(address), address).toBe(false)
  })
})
