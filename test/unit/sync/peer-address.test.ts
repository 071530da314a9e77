import { describe, expect, it } from 'vitest'
import { deriveAccountKeys, encodeAddress, generateSeed } from '../../../src/crypto/index.js'
import { parseBootstrap } from '../../../src/sync/network.js'
import { peerIdentityOf, peerMailAddress } from '../../../src/sync/peer-address.js'
import { code, errorOf } from '../../helpers/errors.js'

const codeOf = (fn: () => unknown) => code(errorOf(fn))

const key = deriveAccountKeys(generateSeed()).identity.publicKey
const address = encodeAddress(key)

describe('peer addresses in mail headers', () => {
  it('accept the bare address and the @peermail.invalid form, in any case', () => {
    expect(peerMailAddress(key)).toBe(`${address}@peermail.invalid`)
    for (const text of [
      address,
      `${address}@peermail.invalid`,
      ` ${address.toUpperCase()}@PeerMail.Invalid `,
    ]) {
      expect(peerIdentityOf(text)?.equals(key)).toBe(true)
    }
  })

  it('refuse ordinary addresses, other domains and mistyped addresses', () => {
    expect(peerIdentityOf('alice@example.org')).toBeUndefined()
    expect(peerIdentityOf(`${address}@example.org`)).toBeUndefined()
    const typo = address.slice(0, 10) + (address[10] === 'y' ? 'b' : 'y') + address.slice(11)
    expect(peerIdentityOf(typo)).toBeUndefined()
  })
})

describe('bootstrap nodes', () => {
  it('parse host:port and refuse anything else with a code', () => {
    expect(parseBootstrap('127.0.0.1:49737')).toEqual({ host: '127.0.0.1', port: 49737 })
    for (const bad of ['127.0.0.1', '127.0.0.1:0', 'host:70000', 'a b:1', ':5']) {
      expect(codeOf(() => parseBootstrap(bad))).toBe('SYNC_INVALID_ARGUMENT')
    }
  })
})
