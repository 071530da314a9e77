import { describe, expect, it } from 'vitest'
import { peermail, startPeermail } from '../helpers/cli.js'

describe('peermail demo', () => {
  it('--once runs the whole story on loopback and exits 0; --json gives the steps', async () => {
    const result = await peermail(['--json', 'demo', '--once'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const summary = JSON.parse(result.stdout) as {
      ok: boolean
      steps: { ok: boolean; title: string }[]
      bootstrap: string
    }
    expect(summary.ok).toBe(true)
    expect(summary.steps.length).toBeGreaterThanOrEqual(7)
    expect(summary.steps.every((s) => s.ok)).toBe(true)
    expect(summary.bootstrap).toMatch(/^127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+)*$/)
  })

  it(
    'without --once, serves each account its inbox until SIGTERM',
    { timeout: 240_000 },
    async () => {
      const demo = startPeermail(['demo'])
      try {
        await demo.waitFor('stdout', /Their inboxes[^\n]*\n(.*\n){3}/, 200_000)
        const urls = new Map<string, string>()
        const line = /^ {2}(alice|bob|carol) +(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/gm
        for (const [, name, url] of demo.stdout.matchAll(line)) urls.set(name ?? '', url ?? '')
        expect([...urls.keys()].sort()).toEqual(['alice', 'bob', 'carol'])
        const alice = new URL(urls.get('alice') ?? '')
        const token = alice.hash.replace('#token=', '')
        const whoami = await fetch(new URL('/api/whoami', alice), {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: '{}',
        })
        const { value } = (await whoami.json()) as { value: { address: string } }
        expect(demo.stdout).toMatch(new RegExp(`alice ${value.address}`))
        expect((await demo.stop()).code).toBe(0)
      } finally {
        await demo.stop()
      }
    },
  )

  it('relay --help has an example; bad numbers are usage errors', async () => {
    const help = await peermail(['relay', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Example:')
    const bad = await peermail(['--home', '/nonexistent/x', 'relay', '--quota', '-5'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--quota must be a positive number')
  })
})
