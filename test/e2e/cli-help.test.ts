/**
 * Every command, nested ones included, answers `--help` with exit 0 and an example: found by walking the
 * command lists the help itself prints, so a command added later is checked without touching this test.
 */
import { describe, expect, test } from 'vitest'
import { peermail } from '../helpers/cli.js'

/** The command names a help text lists under "Commands:". */
function commandsIn(help: string): string[] {
  // The section runs to the first blank line (examples below it are indented too).
  const section = (help.split(/^Commands:$/m)[1] ?? '').split(/\n\s*\n/)[0] ?? ''
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)]
    .map((m) => m[1] ?? '')
    .filter((name) => name !== 'help')
}

describe('peermail --help', () => {
  test('every command and subcommand has help with an example', { timeout: 180_000 }, async () => {
    const top = await peermail(['--help'])
    expect(top.code).toBe(0)
    const queue = commandsIn(top.stdout).map((name) => [name])
    expect(queue.length).toBeGreaterThan(20)
    const missing: string[] = []
    const seen: string[] = []
    for (let path = queue.shift(); path; path = queue.shift()) {
      seen.push(path.join(' '))
      const help = await peermail([...path, '--help'])
      expect(help.code, path.join(' ')).toBe(0)
      if (!help.stdout.includes('Example')) missing.push(path.join(' '))
      for (const sub of commandsIn(help.stdout)) queue.push([...path, sub])
    }
    expect(seen).toContain('contacts verify')
    expect(missing).toEqual([])
  })
})
