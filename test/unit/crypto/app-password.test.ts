import { describe, expect, it } from 'vitest'
import { appPasswordDigest, appPasswordMatches, newAppPassword } from '../../../src/crypto/index.js'

describe('app passwords', () => {
  it('are 128 random bits in four groups, and only the password matches its digest', () => {
    const a = newAppPassword()
    const b = newAppPassword()
    expect(a.password).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{8}){3}$/)
    expect(a.password).not.toBe(b.password)
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(a.digest).toBe(appPasswordDigest(a.password))
    expect(appPasswordMatches(a.digest, a.password)).toBe(true)
    expect(appPasswordMatches(a.digest, b.password)).toBe(false)
    expect(appPasswordMatches(a.digest, a.password.toUpperCase())).toBe(false)
    expect(appPasswordMatches(a.digest, '')).toBe(false)
    expect(appPasswordMatches('not hex', a.password)).toBe(false)
  })

  it('keeps a digest that is not a plain hash of the password', async () => {
    const { createHash } = await import('node:crypto')
    const { password, digest } = newAppPassword()
    expect(digest).not.toBe(createHash('sha256').update(password).digest('hex'))
    expect(digest).not.toContain(password.replaceAll('-', ''))
  })
})
