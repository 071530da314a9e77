import { BlockList, isIPv4 } from 'node:net'

// Ranges that are no host on the public internet (RFC 6890 and friends): loopback, private, shared,
// link-local, multicast, reserved, documentation, IPv6's unique-local. BlockList checks IPv4-mapped
// IPv6 addresses (::ffff:a.b.c.d) against the IPv4 ranges itself.
const NOT_PUBLIC = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6')

/**
 * True for an address on the public internet. Direct delivery connects only to these by default: an
 * account must not be able to make the bridge talk SMTP to hosts inside its own network (which often
 * trust it) by naming a domain whose MX points there.
 */
export function isPublicAddress(address: string): boolean {
  return !NOT_PUBLIC.check(address, isIPv4(address) ? 'ipv4' : 'ipv6')
}
