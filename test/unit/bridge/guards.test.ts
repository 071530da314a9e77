import { describe, expect, it } from 'vitest'
import { normaliseAlias, normaliseDomain } from '../../../src/bridge/alias.js'
import { DurableFlush } from '../../../src/bridge/durable.js'
import { ConnectionLimiter, RateLimiter, hasBareLineEnding } from '../../../src/bridge/guards.js'
import {
  AliasOp,
  AliasStatus,
  bridgeCodecs,
  signAliasRequest,
  verifyAliasRequest,
} from '../../../src/bridge/wire.js'
import { generateSeed, signingKeyPairFromSeed } from '../../../src/crypto/index.js'

describe('bare line endings', () => {
  it('accepts CRLF only', () => {
    expect(hasBareLineEnding(Buffer.from('a\r\nb\r\n\r\nc\r\n'))).toBe(false)
    expect(hasBareLineEnding(Buffer.from('no newline at all'))).toBe(false)
  })
  it('refuses a bare LF, a bare CR, and the smuggling shapes', () => {
    for (const text of ['a\nb', 'a\rb', 'a\r\n.\nb', 'a\n.\r\nb', 'a\r\r\nb', 'end\r'])
      expect(hasBareLineEnding(Buffer.from(text)), JSON.stringify(text)).toBe(true)
  })
})

describe('aliases', () => {
  it('canonicalises and checks', () => {
    expect(normaliseAlias(' Alice.W+x@Bridge.Example ')).toBe('alice.w+x@bridge.example')
    for (const bad of [
      'alice',
      '@bridge.example',
      'a b@x.example',
      '"a"@x.example',
      'a@x',
      'a..b@x.example',
      'a@peermail.invalid',
      'a\r\nb@x.example',
    ])
      expect(() => normaliseAlias(bad), bad).toThrow(
        expect.objectContaining({ code: 'BRIDGE_INVALID_ALIAS' }),
      )
    expect(() => normaliseAlias('a@other.example', 'bridge.example')).toThrow(
      /serves bridge.example/,
    )
    expect(() => normaliseDomain('bad domain')).toThrow(
      expect.objectContaining({ code: 'BRIDGE_INVALID_OPTIONS' }),
    )
  })

  it('requests are signed for one bridge, one alias, one operation', () => {
    const account = signingKeyPairFromSeed(generateSeed())
    const bridge = signingKeyPairFromSeed(generateSeed()).publicKey
    const other = signingKeyPairFromSeed(generateSeed()).publicKey
    const req = signAliasRequest(account, bridge, AliasOp.ADD, 'a@x.example', 1000)
    const decoded = bridgeCodecs.alias.decode(bridgeCodecs.alias.encode(req))
    expect(verifyAliasRequest(decoded, account.publicKey, bridge)).toBe(true)
    expect(verifyAliasRequest(decoded, account.publicKey, other)).toBe(false)
    expect(verifyAliasRequest({ ...decoded, op: AliasOp.REMOVE }, account.publicKey, bridge)).toBe(
      false,
    )
    expect(
      verifyAliasRequest({ ...decoded, alias: 'b@x.example' }, account.publicKey, bridge),
    ).toBe(false)
    const reply = { op: AliasOp.ADD, status: AliasStatus.TAKEN, alias: 'a@x.example' }
    expect(bridgeCodecs.aliased.decode(bridgeCodecs.aliased.encode(reply))).toEqual(reply)
    const frame = bridgeCodecs.aliased.encode(reply)
    frame[1] = 99
    expect(() => bridgeCodecs.aliased.decode(frame)).toThrow(
      expect.objectContaining({ code: 'SYNC_BAD_FRAME' }),
    )
  })
})

describe('limits', () => {
  it('connection slots per host and in all', () => {
    const limiter = new ConnectionLimiter(3, 2)
    expect([limiter.open('a'), limiter.open('a'), limiter.open('a')]).toEqual([true, true, false])
    expect([limiter.open('b'), limiter.open('c')]).toEqual([true, false])
    limiter.close('a')
    expect(limiter.open('c')).toBe(true)
  })
  it('a burst, then the hourly rate', () => {
    let now = 0
    const limiter = new RateLimiter(2, 3600, () => now)
    expect([limiter.take('x'), limiter.take('x'), limiter.take('x'), limiter.take('y')]).toEqual([
      true,
      true,
      false,
      true,
    ])
    now += 1000
    expect(limiter.take('x')).toBe(true)
  })
})

describe('durable flush', () => {
  it('every request is covered by a flush that started after it; concurrent ones share', async () => {
    const started: number[] = []
    let release: (() => void) | null = null
    const flush = new DurableFlush(() => {
      started.push(started.length)
      return new Promise<void>((resolve) => {
        release = resolve
      })
    })
    const first = flush.request()
    const second = flush.request()
    const third = flush.request()
    expect(started).toEqual([0])
    release!()
    await first
    await Promise.resolve()
    await new Promise((r) => setImmediate(r))
    expect(started).toEqual([0, 1])
    release!()
    await Promise.all([second, third])
    expect(started).toHaveLength(2)
  })
})
