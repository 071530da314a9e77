/**
 * `peermail serve` as a user runs it: the built binary in a child process, online on a loopback DHT
 * started here (`--bootstrap`, so nothing leaves the machine), answering the local API until SIGTERM.
 */
import { createTransport } from 'nodemailer'
import { describe, expect } from 'vitest'
import { join } from 'node:path'
import { createLocalNetwork } from '../../src/client/index.js'
import { peermail, startPeermail, type RunningCli } from '../helpers/cli.js'
import { test } from '../helpers/temp-dir.js'

const env = { PEERMAIL_PASSPHRASE: 'correct horse battery' }

describe('peermail serve', () => {
  test('prints its URL, answers whoami with the token, exits 0 on SIGTERM', async ({ tempDir }) => {
    const net = await createLocalNetwork()
    let child: RunningCli | undefined
    try {
      const home = join(tempDir, 'alice')
      const bootstrap = net.bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
      const init = await peermail(['--home', home, '--json', 'init'], { env })
      expect(init.code).toBe(0)
      const { address } = JSON.parse(init.stdout) as { address: string }

      const refused = await peermail(['--home', home, 'serve', '--host', '0.0.0.0'], { env })
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/--host must be 127\.0\.0\.1 or localhost/)

      child = startPeermail(['--home', home, '--bootstrap', bootstrap, 'serve', '--port', '0'], {
        env,
      })
      await child.waitFor('stdout', /\n/, 60_000)
      const lines = child.stdout.split('\n').filter((line) => line !== '')
      expect(lines).toHaveLength(1)
      const match = /^http:\/\/127\.0\.0\.1:(\d+)\/#token=([A-Za-z0-9_-]{43})$/.exec(lines[0]!)
      expect(match, lines[0]).not.toBeNull()
      const [, port, token] = match!

      const call = (auth: string) =>
        fetch(`http://127.0.0.1:${port}/api/whoami`, {
          method: 'POST',
          headers: { Authorization: auth, 'Content-Type': 'application/json' },
          body: '{}',
        })
      const denied = await call('Bearer nope')
      expect(denied.status).toBe(401)
      await denied.body?.cancel()
      const whoami = await call(`Bearer ${token}`)
      expect(whoami.status).toBe(200)
      expect(await whoami.json()).toEqual({ ok: true, value: { address } })

      const done = await child.stop()
      expect(done.code, done.stderr).toBe(0)
      expect(done.stdout.split('\n').filter((line) => line !== '')).toHaveLength(1)
    } finally {
      await child?.stop()
      await net.close()
    }
  })

  test('with --smtp-port, a mail client logs in with the smtp-password and sends', async ({
    tempDir,
  }) => {
    const net = await createLocalNetwork()
    let child: RunningCli | undefined
    try {
      const home = join(tempDir, 'alice')
      const bootstrap = net.bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
      const base = ['--home', home, '--bootstrap', bootstrap]
      const { address } = JSON.parse(
        (await peermail(['--home', home, '--json', 'init'], { env })).stdout,
      ) as { address: string }
      const made = await peermail([...base, '--json', 'smtp-password'], { env })
      expect(made.code, made.stderr).toBe(0)
      const { user, password } = JSON.parse(made.stdout) as { user: string; password: string }
      expect(user).toBe(address)

      const bad = await peermail([...base, 'serve', '--smtp-port', '70000'], { env })
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/--smtp-port must be at most 65535/)

      child = startPeermail([...base, '--json', 'serve', '--smtp-port', '0'], { env })
      await child.waitFor('stdout', /\n/, 60_000)
      const { smtpPort } = JSON.parse(child.stdout) as { smtpPort: number }
      const mail = {
        from: `${address}@peermail.invalid`,
        to: `${address}@peermail.invalid`,
        subject: 'note to self',
        text: 'sent by a mail client',
      }
      const transport = (pass: string) =>
        createTransport({
          host: '127.0.0.1',
          port: smtpPort,
          ignoreTLS: true,
          auth: { user: address, pass },
        })
      await expect(transport('wrong').sendMail(mail)).rejects.toMatchObject({ responseCode: 535 })
      const info = await transport(password).sendMail(mail)
      const id = /stored in Sent as (\S+)/.exec(info.response)?.[1]
      expect(id, info.response).toBeDefined()
      expect((await child.stop()).code).toBe(0)

      // The account is free again: the mail is in Sent.
      const sent = await peermail([...base, '--json', 'list', '--folder', 'sent'], { env })
      expect(sent.code, sent.stderr).toBe(0)
      expect((JSON.parse(sent.stdout) as { items: unknown[] }).items).toEqual([
        expect.objectContaining({ id, subject: 'note to self' }),
      ])
    } finally {
      await child?.stop()
      await net.close()
    }
  })
})
