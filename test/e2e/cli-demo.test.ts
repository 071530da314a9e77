import { describe, expect, it } from 'vitest'
import { peermail } from '../helpers/cli.js'

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

  it('relay --help has an example; bad numbers are usage errors', async () => {
    const help = await peermail(['relay', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Example:')
    const bad = await peermail(['--home', '/nonexistent/x', 'relay', '--quota', '-5'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--quota must be a positive number')
  })
})
