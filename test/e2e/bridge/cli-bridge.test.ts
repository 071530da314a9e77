/**
 * `peermail bridge` and `peermail alias`: a bridge runs as its own process, an account registers an
 * alias with it from the command line, and mail sent to the alias over SMTP reaches the account.
 */
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { createLocalNetwork } from '../../../src/client/index.js'
import { peermail, startPeermail, type RunningCli } from '../../helpers/cli.js'
import { smtpClient } from '../../helpers/bridge/smtp.js'
import { startWorld, type World } from '../../helpers/bridge/world.js'
import { test } from '../../helpers/temp-dir.js'

const env = { PEERMAIL_PASSPHRASE: 'correct horse battery' }

describe('peermail bridge and alias', () => {
  test(
    'a bridge process, an alias added from the CLI, mail over SMTP in the inbox, answered and sent back out',
    { timeout: 600_000 },
    async ({ tempDir }) => {
      const net = await createLocalNetwork()
      const running: RunningCli[] = []
      let world: World | undefined
      try {
        world = await startWorld()
        const bootstrap = net.bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
        const alice = ['--home', join(tempDir, 'alice'), '--bootstrap', bootstrap]
        expect((await peermail([...alice, 'init'], { env })).code).toBe(0)

        const usage = await peermail(['bridge', '--domain', 'bridge.test', '--smtp-port', 'x'])
        expect(usage.code).toBe(2)
        expect(usage.stderr).toContain('--smtp-port')
        const bridgeArgs = ['--home', join(tempDir, 'bridge'), '--bootstrap', bootstrap, '--json']
        const bridgeProcess = startPeermail(
          [
            ...bridgeArgs,
            'bridge',
            '--domain',
            'bridge.test',
            '--smtp-port',
            '0',
            '--smarthost',
            world.url,
          ],
          { env: {} },
        )
        running.push(bridgeProcess)
        await bridgeProcess.waitFor('stdout', /"smtpPort"/, 60_000)
        const { address, smtpPort } = JSON.parse(bridgeProcess.stdout) as {
          address: string
          smtpPort: number
        }

        const bad = await peermail(
          [...alice, 'alias', 'add', 'not an alias', '--bridge', address],
          {
            env,
          },
        )
        expect(bad.code).toBe(1)
        expect(bad.stderr).toContain('[BRIDGE_INVALID_ALIAS]')
        const added = await peermail(
          [...alice, '--json', 'alias', 'add', 'alice@bridge.test', '--bridge', address],
          { env },
        )
        expect(added.code, added.stderr).toBe(0)
        expect(JSON.parse(added.stdout)).toEqual({ alias: 'alice@bridge.test', bridge: address })
        const listed = await peermail([...alice, '--json', 'alias', 'list'], { env })
        expect(JSON.parse(listed.stdout)).toEqual([{ alias: 'alice@bridge.test', bridge: address }])

        // Mail accepted while Alice is offline is collected by her next sync.
        const client = smtpClient(smtpPort)
        const info = await client.sendMail({
          from: 'carol@sender.test',
          to: 'alice@bridge.test',
          subject: 'over the bridge',
          text: 'hello',
        })
        client.close()
        expect(info.response).toMatch(/^250 /)
        // Should a first connection between the two processes stall (HyperDHT 6.33-6.34 half-opened them,
        // hyperdht#304; we pin 6.32.0), Alice comes back online a few times, as a user would.
        let synced = ''
        for (let i = 0; i < 4 && !synced.includes('over the bridge'); i++) {
          const run = await peermail([...alice, 'sync', '--count', '1', '--timeout', '60'], { env })
          expect(run.code, run.stderr).toBe(0)
          synced += run.stdout
        }
        expect(synced).toContain('over the bridge')
        const list = await peermail([...alice, 'list', '--folder', 'inbox'], { env })
        expect(list.stdout).toContain('over the bridge')

        // The answer goes to the ordinary sender (not to the bridge that carried the mail), out again.
        const inbox = JSON.parse(
          (await peermail([...alice, '--json', 'list', '--folder', 'inbox'], { env })).stdout,
        ) as { items: { id: string }[] }
        const replied = await peermail(
          [...alice, 'reply', inbox.items[0]?.id ?? '', '--body', 'got it', '--wait', '5'],
          { env },
        )
        expect(replied.code, replied.stderr).toBe(0)
        // `send` waits for the bridge's delivery report as it does for a peer's receipt: it ends
        // once Dave's server took the mail (the generous wait is only an upper bound).
        const sent = await peermail(
          [
            ...alice,
            '--json',
            'send',
            '--to',
            'Dave <dave@world.test>',
            '-s',
            'hi Dave',
            '--body',
            'x',
            '--wait',
            '120',
          ],
          { env },
        )
        expect(sent.code, sent.stderr).toBe(0)
        expect((JSON.parse(sent.stdout) as { status: unknown }).status).toEqual({
          'dave@world.test': 'delivered',
        })
        // What had not reached the bridge when those commands ended leaves with the next sync.
        for (let i = 0; i < 4 && world.received.length < 2; i++)
          expect((await peermail([...alice, 'sync', '--timeout', '20'], { env })).code).toBe(0)
        const [answer, toDave] = await world.waitFor(2)
        expect(answer?.to).toEqual(['carol@sender.test'])
        expect(answer?.raw.toString()).toMatch(/^From: .*alice@bridge\.test/m)
        expect(answer?.raw.toString()).toMatch(/^Subject: Re: over the bridge/m)
        expect(toDave?.to).toEqual(['dave@world.test'])

        // The operator's view, while it runs (the status file is rewritten within a second).
        type Status = {
          running: boolean
          queue: number
          aliases: { alias: string }[]
          totals: { inbound: number; outboundDelivered: number }
        }
        const bridgeHome = ['--home', join(tempDir, 'bridge')]
        const statusNow = async () =>
          JSON.parse(
            (await peermail([...bridgeHome, '--json', 'bridge', 'status'])).stdout,
          ) as Status
        let status = await statusNow()
        for (let i = 0; i < 20 && status.totals.outboundDelivered < 2; i++) {
          await new Promise((resolve) => setTimeout(resolve, 500))
          status = await statusNow()
        }
        expect(status).toMatchObject({
          running: true,
          queue: 0,
          aliases: [{ alias: 'alice@bridge.test' }],
          totals: { inbound: 1, outboundDelivered: 2 },
        })
        expect((await peermail([...bridgeHome, 'bridge', 'status'])).stdout).toContain(
          'Bridge for bridge.test: running',
        )

        const removed = await peermail([...alice, 'alias', 'remove', 'alice@bridge.test'], { env })
        expect(removed.code, removed.stderr).toBe(0)
        expect(JSON.parse((await peermail([...alice, '--json', 'alias'], { env })).stdout)).toEqual(
          [],
        )
        expect((await bridgeProcess.stop()).code).toBe(0)
        expect((await peermail([...bridgeHome, '--json', 'bridge', 'status'])).stdout).toContain(
          '"running":false',
        )
        const none = await peermail(['--home', join(tempDir, 'nobridge'), 'bridge', 'status'])
        expect(none.code).toBe(2)
        expect(none.stderr).toContain('no bridge has run in')
      } finally {
        await Promise.all(running.map((r) => r.stop()))
        await world?.close()
        await net.close()
      }
    },
  )
})
