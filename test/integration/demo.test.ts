import { describe, expect, it } from 'vitest'
import { runDemo } from '../../src/client/demo.js'

describe('the demo story', () => {
  it('runs every step on loopback and each one checks out', async () => {
    const titles: string[] = []
    const demo = await runDemo({ onStep: (step) => titles.push(step.title) })
    try {
      expect(demo.steps.filter((s) => !s.ok)).toEqual([])
      expect(demo.ok).toBe(true)
      // Peer to peer, through the relay, then ordinary email through the bridge, in and out, and a mail
      // app sending through local submission.
      expect(titles).toHaveLength(12)
      expect(titles.slice(-4)).toEqual([
        'Alice takes the address alice@demo.test on the bridge',
        'dave@world.test writes to alice@demo.test by ordinary email',
        'Alice answers; the bridge DKIM-signs it for demo.test and sends it out',
        "Alice's mail app sends through her local SMTP submission, to Bob and to dave@world.test",
      ])
      expect(demo.steps.at(-3)?.detail).toMatch(/spf=pass dkim=pass dmarc=pass/)
      expect(demo.steps.at(-1)?.detail).toMatch(/Bob got it peer to peer/)
      expect(demo.bootstrap.every((node) => node.host === '127.0.0.1')).toBe(true)
      expect(demo.accounts.map((a) => a.address).every((a) => a.startsWith('pm1'))).toBe(true)
      expect(demo.bridge.domain).toBe('demo.test')
      expect(demo.bridge.address).toMatch(/^pm1/)
      expect(demo.bridge.smtpPort).toBeGreaterThan(0)
    } finally {
      await demo.close()
    }
  })
})
