/**
 * `peermail bridge --config FILE`: a bridge process started from a JSON configuration file, flags over
 * it, events on stderr as JSON lines; and a bad file refused with a usage error naming the file and key.
 */
import { generateKeyPairSync } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { createLocalNetwork } from '../../../src/client/index.js'
import { SmtpDialog } from '../../helpers/bridge/smtp.js'
import { peermail, startPeermail, type RunningCli } from '../../helpers/cli.js'
import { test } from '../../helpers/temp-dir.js'

describe('peermail bridge --config', () => {
  test('runs from a file, flags win over it, events are JSON lines', async ({ tempDir }) => {
    const net = await createLocalNetwork()
    let bridge: RunningCli | undefined
    try {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
      await writeFile(
        join(tempDir, 'dkim.pem'),
        privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      )
      const config = join(tempDir, 'bridge.json')
      await writeFile(
        config,
        JSON.stringify({
          domain: 'overridden.test',
          smtpHost: '127.0.0.1',
          smtpPort: 0,
          maxSize: 2,
          smarthost: 'smtp://127.0.0.1:2525',
          dkimSelector: 'pm',
          // Relative: found beside the configuration file, whatever the working directory.
          dkimKey: 'dkim.pem',
          maxConnectionsPerHost: 3,
          messagesPerHour: 60,
        }),
      )
      const bootstrap = net.bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
      bridge = startPeermail([
        ...['--home', join(tempDir, 'bridge'), '--bootstrap', bootstrap, '--json'],
        ...['bridge', '--config', config, '--domain', 'bridge.test'],
      ])
      await bridge.waitFor('stdout', /"smtpPort"/, 60_000)
      const started = JSON.parse(bridge.stdout) as { domain: string; smtpPort: number }
      expect(started.domain).toBe('bridge.test')

      const dialog = await SmtpDialog.open(started.smtpPort)
      try {
        expect(await dialog.reply()).toMatch(/^220 /)
        // maxSize 2 (MB) from the file, advertised as SIZE.
        expect(await dialog.send('EHLO client.sender.test\r\n')).toMatch(
          /^250[- ]SIZE 2097152\r?$/m,
        )
        expect(await dialog.send('MAIL FROM:<carol@sender.test>\r\n')).toMatch(/^250 /)
        // The flag's domain, not the file's: its unknown aliases are 5.1.1, other domains 5.7.1.
        expect(await dialog.send('RCPT TO:<nobody@bridge.test>\r\n')).toMatch(/^550 5\.1\.1 /)
        expect(await dialog.send('RCPT TO:<nobody@overridden.test>\r\n')).toMatch(/^550 5\.7\.1 /)
      } finally {
        dialog.close()
      }

      expect((await bridge.stop()).code).toBe(0)
      const records = bridge.stderr
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { event: string; fields: Record<string, unknown> })
      for (const record of records)
        expect(Object.keys(record)).toEqual(['time', 'level', 'event', 'fields'])
      expect(records.find((r) => r.event === 'bridge-started')?.fields).toMatchObject({
        domain: 'bridge.test',
        smtpPort: started.smtpPort,
        outbound: 'smarthost',
      })
      expect(records.at(-1)?.event).toBe('bridge-stopped')
    } finally {
      await bridge?.stop()
      await net.close()
    }
  })

  test('a bad file is a usage error naming the file and the key', async ({ tempDir }) => {
    const home = ['--home', join(tempDir, 'bridge')]
    const run = async (content: string | undefined, extra: string[] = []) => {
      const config = join(tempDir, 'bridge.json')
      if (content !== undefined) await writeFile(config, content)
      return peermail([...home, 'bridge', '--config', config, ...extra])
    }
    const config = join(tempDir, 'bridge.json')

    const unknown = await run(JSON.stringify({ domain: 'bridge.test', smtpPrt: 25 }))
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain(config)
    expect(unknown.stderr).toContain('unknown key "smtpPrt"')

    const range = await run(JSON.stringify({ domain: 'bridge.test', smtpPort: 70000 }))
    expect(range.code).toBe(2)
    expect(range.stderr).toContain(`${config}: "smtpPort" must be an integer port 0-65535`)

    const unreadable = await run(
      JSON.stringify({ domain: 'bridge.test', tlsKey: 'missing.key', tlsCert: 'missing.pem' }),
    )
    expect(unreadable.code).toBe(2)
    expect(unreadable.stderr).toContain(`${config}: "tlsKey": cannot read`)

    const notJson = await run('{ domain: bridge.test }')
    expect(notJson.code).toBe(2)
    expect(notJson.stderr).toContain(`${config}: not valid JSON`)

    // A flag is checked like the file's key, and named.
    const flag = await run(JSON.stringify({ domain: 'bridge.test' }), ['--mx-port', '0'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('--mx-port must be an integer port 1-65535')

    const missing = await peermail([...home, 'bridge', '--config', join(tempDir, 'nope.json')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(`${join(tempDir, 'nope.json')}: cannot read the file`)
  })
})
