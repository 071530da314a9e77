/**
 * `peermail relays`: the list is kept in the account's home, checked, and used when the account goes
 * online: a relay running as its own process confirms the account's registration during `sync`.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { createLocalNetwork } from '../../src/client/index.js'
import { peermail, startPeermail, type RunningCli } from '../helpers/cli.js'
import { test } from '../helpers/temp-dir.js'

const env = { PEERMAIL_PASSPHRASE: 'correct horse battery' }

describe('peermail relays', () => {
  test(
    'add, list and remove are checked and kept; sync registers with them; status shows them and the queue',
    { timeout: 420_000 },
    async ({ tempDir }) => {
      const net = await createLocalNetwork()
      const running: RunningCli[] = []
      try {
        const bootstrap = net.bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
        const alice = ['--home', join(tempDir, 'alice'), '--bootstrap', bootstrap]
        expect((await peermail([...alice, 'init'], { env })).code).toBe(0)

        const relayProcess = startPeermail(
          ['--home', join(tempDir, 'relay'), '--bootstrap', bootstrap, '--json', 'relay'],
          { env },
        )
        running.push(relayProcess)
        await relayProcess.waitFor('stdout', /"address"/, 60_000)
        const { address: relay } = JSON.parse(relayProcess.stdout) as { address: string }

        // Bad input: one clear line, exit 1, nothing kept.
        const bad = await peermail([...alice, 'relays', 'add', 'pm1notanaddress'])
        expect(bad.code).toBe(1)
        expect(bad.stderr.trim().split('\n')).toHaveLength(1)
        expect(JSON.parse((await peermail([...alice, '--json', 'relays'])).stdout)).toEqual([])

        expect(
          JSON.parse((await peermail([...alice, '--json', 'relays', 'add', relay])).stdout),
        ).toEqual([relay])
        // Adding it again (in its @peermail.invalid form) changes nothing.
        expect(
          JSON.parse(
            (await peermail([...alice, '--json', 'relays', 'add', `${relay}@peermail.invalid`]))
              .stdout,
          ),
        ).toEqual([relay])
        expect((await peermail([...alice, 'relays'])).stdout).toContain(relay)

        // Online until the relay confirms the registration (it stops cleanly on SIGTERM). HyperDHT
        // 6.33-6.34 often half-opened a first dial between two processes (hyperdht#304; we pin 6.32.0);
        // should a dial still stall on a loaded machine, Alice starts over, which dials afresh.
        let confirmed = false
        for (let i = 0; i < 5 && !confirmed; i++) {
          const sync = startPeermail([...alice, 'sync'], { env })
          running.push(sync)
          confirmed = await sync
            .waitFor('stderr', new RegExp(`relay ${relay} keeps your mail`), 60_000)
            .then(
              () => true,
              () => false,
            )
          expect((await sync.stop()).code).toBe(0)
        }
        expect(confirmed).toBe(true)

        // status, offline: the relays, and a mail to someone never online waiting to go out.
        const nobody = 'pm1su5w44wh9damn9ta7qfbt87frcmjrywaq1nc54febyzfk99ktxg8ardcde'
        const send = ['send', '--to', nobody, '--subject', 'Hi', '--body', 'x', '--wait', '1']
        expect((await peermail([...alice, ...send], { env })).code).toBe(0)
        const status = await peermail([...alice, '--json', 'status'], { env })
        expect(JSON.parse(status.stdout)).toMatchObject({
          outgoing: { waiting: 1, recipients: [nobody] },
          relays: [relay],
        })
        expect((await peermail([...alice, 'status'], { env })).stdout).toContain(
          'Outgoing: 1 mail waiting for 1 recipient',
        )

        // status --online: the DHT answers, and the relay is reached (tried again if the first dial is slow).
        type Online = { online: boolean; relays: { relay: string; connected: boolean }[] }
        let online: Online | undefined
        for (let i = 0; i < 4 && !online?.relays[0]?.connected; i++) {
          const run = await peermail([...alice, '--json', 'status', '--online', '8'], { env })
          expect(run.code, run.stderr).toBe(0)
          online = JSON.parse(run.stdout) as Online
        }
        expect(online).toMatchObject({ online: true, relays: [{ relay, connected: true }] })

        const removed = await peermail([...alice, '--json', 'relays', 'remove', relay])
        expect(JSON.parse(removed.stdout)).toEqual([])
        const again = await peermail([...alice, 'relays', 'remove', relay])
        expect(again.code).toBe(1)
        expect(again.stderr).toContain('is not one of this account')

        // A damaged settings file is named, not silently replaced.
        const settings = join(tempDir, 'alice', 'settings.json')
        await writeFile(settings, '{"relays": 7}')
        const damaged = await peermail([...alice, 'relays'])
        expect(damaged.code).toBe(1)
        expect(damaged.stderr).toContain(settings)
        expect(await readFile(settings, 'utf8')).toBe('{"relays": 7}')
      } finally {
        await Promise.all(running.map((r) => r.stop()))
        await net.close()
      }
    },
  )
})
