/**
 * `peermail start` (what `npm start` runs) as a newcomer meets it: no account yet, so it is created (only
 * when asked to: scripts pass --yes), then the account goes online on a loopback DHT started here and the
 * inbox is served until SIGTERM. A second start opens the same account.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { createLocalNetwork } from '../../src/client/index.js'
import { peermail, startPeermail, type RunningCli } from '../helpers/cli.js'
import { test } from '../helpers/temp-dir.js'

const env = { PEERMAIL_PASSPHRASE: 'correct horse battery' }
const URL_LINE = /^http:\/\/127\.0\.0\.1:(\d+)\/#token=([A-Za-z0-9_-]{43})$/

/** Waits for the URL line, then checks the page and an API call answer as they should. */
async function openInbox(child: RunningCli): Promise<{ address: string }> {
  await child.waitFor('stdout', /\n/, 90_000)
  const match = URL_LINE.exec(child.stdout.trim())
  expect(match, child.stdout).not.toBeNull()
  const [, port, token] = match!
  const page = await fetch(`http://127.0.0.1:${port}/`)
  expect(page.status).toBe(200)
  expect(page.headers.get('content-type')).toMatch(/^text\/html/)
  await page.body?.cancel()
  const whoami = await fetch(`http://127.0.0.1:${port}/api/whoami`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{}',
  })
  const body = (await whoami.json()) as { ok: boolean; value: { address: string } }
  expect(body.ok).toBe(true)
  return body.value
}

describe('peermail start', () => {
  test(
    'creates the account on the first run (only when told to), then serves the inbox',
    { timeout: 240_000 },
    async ({ tempDir }) => {
      const net = await createLocalNetwork()
      const running: RunningCli[] = []
      try {
        const home = join(tempDir, 'me')
        const bootstrap = net.bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
        const args = ['--home', home, '--bootstrap', bootstrap, 'start']

        // A script (no terminal) that did not say --yes gets told how, and nothing is created.
        const refused = await peermail(args, { env })
        expect(refused.code).toBe(2)
        expect(refused.stderr).toContain('peermail start --yes')
        expect((await peermail(['--home', home, 'whoami'])).code).toBe(1)

        const first = startPeermail([...args, '--yes'], { env })
        running.push(first)
        const { address } = await openInbox(first)
        expect(first.stderr).toContain(`Created account ${address}`)
        expect(first.stderr).toContain(`Online as ${address}`)
        expect(first.stderr).toMatch(/Recovery phrase[^\n]*\n {2}(\w+ ){23}\w+\n/)
        expect((await first.stop()).code).toBe(0)

        const again = startPeermail(args, { env })
        running.push(again)
        expect(await openInbox(again)).toEqual({ address })
        expect(again.stderr).not.toContain('Created account')
        expect((await again.stop()).code).toBe(0)
      } finally {
        await Promise.all(running.map((r) => r.stop()))
        await net.close()
      }
    },
  )

  test(
    'hands the account to Electron when its binary is installed; --no-electron serves instead',
    { timeout: 240_000 },
    async ({ tempDir }) => {
      const home = join(tempDir, 'me')
      expect((await peermail(['--home', home, 'init'], { env })).code).toBe(0)
      // A stand-in for Electron's binary (the electron package honours ELECTRON_OVERRIDE_DIST_PATH):
      // it writes down how it was started.
      const dist = join(tempDir, 'electron-dist')
      const record = join(tempDir, 'electron-started.txt')
      await mkdir(dist)
      await writeFile(
        join(dist, 'electron'),
        `#!/bin/sh\nprintf '%s\\n' "$1" "$PEERMAIL_HOME" "$PEERMAIL_PASSPHRASE" "$PEERMAIL_BOOTSTRAP" "$PEERMAIL_SMTP_PORT" > '${record}'\n`,
      )
      await chmod(join(dist, 'electron'), 0o755)
      const withElectron = { ...env, ELECTRON_OVERRIDE_DIST_PATH: dist }
      const args = ['--home', home, '--bootstrap', '127.0.0.1:9', 'start']

      const handed = await peermail([...args, '--smtp-port', '1587'], { env: withElectron })
      expect(handed.code, handed.stderr).toBe(0)
      expect(handed.stderr).toContain('Opening your inbox in Electron')
      const [main, seenHome, seenPassphrase, seenBootstrap, seenSmtpPort] = (
        await readFile(record, 'utf8')
      ).split('\n')
      expect(main).toMatch(/dist\/app\/electron\/main\.js$/)
      expect([seenHome, seenPassphrase, seenBootstrap, seenSmtpPort]).toEqual([
        home,
        env.PEERMAIL_PASSPHRASE,
        '127.0.0.1:9',
        '1587',
      ])

      const served = startPeermail([...args, '--no-electron', '--smtp-port', '0'], {
        env: withElectron,
      })
      try {
        await openInbox(served)
        // 127.0.0.1:9 answers nothing: said plainly, and the inbox is open all the same.
        expect(served.stderr).toContain('No network reachable')
        // Mail apps can send through it (the same submission as `serve --smtp-port`).
        expect(served.stderr).toMatch(/SMTP submission on 127\.0\.0\.1:\d+/)
      } finally {
        expect((await served.stop()).code).toBe(0)
      }
    },
  )
})
