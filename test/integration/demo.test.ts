import { describe, expect, it } from 'vitest'
import { runDemo } from '../../src/client/demo.js'

describe('the demo story', () => {
  it('runs every step on loopback and each one checks out', async () => {
    const titles: string[] = []
    const demo = await runDemo({ onStep: (step) => titles.push(step.title) })
    try {
      expect(demo.steps.filter((s) => !s.ok)).toEqual([])
      expect(demo.ok).toBe(true)
      expect(titles).toHaveLength(7)
      expect(demo.bootstrap.every((node) => node.host === '127.0.0.1')).toBe(true)
      expect(demo.accounts.map((a) => a.address).every((a) => a.startsWith('pm1'))).toBe(true)
    } finally {
      await demo.close()
    }
  })
})
