/**
 * The bridge's promise: `250` means the mail is on disk. A bridge process is killed with SIGKILL in the
 * middle of a burst of inbound mail; after a restart, every message that got `250` reaches the account.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTransport } from 'nodemailer'
import { describe, expect } from 'vitest'
import { createLocalNetwork, openAccount, type Account } from '../../../src/index.js'
import { FAST_BACKOFFS, FAST_VAULT } from '../../helpers/network.js'
import { test } from '../../helpers/temp-dir.js'

const bin = fileURLToPath(new URL('../../../bin/peermail.js', import.meta.url))
const BURST = 60

/** Starts `peermail bridge` (the built binary) and resolves with its address and SMTP port. */
function startBridgeProcess(
  home: string,
  bootstrap: string,
): Promise<{ child: ChildProcess; address: string; port: number }> {
  const child = spawn(
    process.execPath,
    [
      ...[bin, '--home', home, '--bootstrap', bootstrap, '--json'],
      ...['bridge', '--domain', 'bridge.test', '--smtp-port', '0'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: '/tmp' } },
  )
  child.stdout.setEncoding('utf8')
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: string) => {
      out += chunk
      if (!out.includes('"smtpPort"')) return
      const { address, smtpPort } = JSON.parse(out) as { address: string; smtpPort: number }
      resolve({ child, address, port: smtpPort })
    })
    child.on('exit', (code) => {
      reject(new Error(`bridge exited (${code ?? 'signal'}) before it was ready`))
    })
  })
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else
      child.once('exit', () => {
        resolve()
      })
  })
}

describe('bridge durability', () => {
  test(
    'every message answered 250 before a SIGKILL is delivered after the restart',
    { timeout: 240_000 },
    async ({ tempDir }) => {
      const net = await createLocalNetwork()
      const bootstrap = net.bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
      const bridgeHome = join(tempDir, 'bridge')
      const children: ChildProcess[] = []
      let alice: Account | undefined
      const openAlice = () =>
        openAccount({
          home: join(tempDir, 'alice'),
          passphrase: 'alice passphrase',
          bootstrap: net.bootstrap,
          vaultParams: FAST_VAULT,
          backoffs: FAST_BACKOFFS,
          redialEveryMs: 2000,
        })
      try {
        const first = await startBridgeProcess(bridgeHome, bootstrap)
        children.push(first.child)
        alice = await openAlice()
        await alice.addAlias('alice@bridge.test', first.address)
        // Offline: what the bridge accepted can only reach her from its disk.
        await alice.close()

        const client = createTransport({
          host: '127.0.0.1',
          port: first.port,
          ignoreTLS: true,
          pool: true,
          maxConnections: 4,
        })
        const accepted: string[] = []
        const sends = Array.from({ length: BURST }, (_, i) =>
          client
            .sendMail({
              from: 'carol@sender.test',
              to: 'alice@bridge.test',
              subject: `burst ${i}`,
              text: `message ${i}\n`.repeat(50),
            })
            .then(
              (info) => {
                if (/^250 /.test(info.response)) accepted.push(`burst ${i}`)
                // The kill lands mid-burst: after some messages were accepted, before all were.
                if (accepted.length === 10) first.child.kill('SIGKILL')
              },
              () => {},
            ),
        )
        await Promise.all(sends)
        client.close()
        await killed(first.child)
        expect(accepted.length).toBeGreaterThanOrEqual(10)
        expect(accepted.length).toBeLessThan(BURST)

        const second = await startBridgeProcess(bridgeHome, bootstrap)
        children.push(second.child)
        expect(second.address).toBe(first.address)
        alice = await openAlice()
        const account = alice
        const missing = new Set(accepted)
        await new Promise<void>((resolve) => {
          const check = async () => {
            for (const m of await account.mailbox.list({ folder: 'inbox', limit: 500 }))
              missing.delete(m.subject)
            if (missing.size === 0) resolve()
          }
          account.on('mail', (summary) => {
            missing.delete(summary.subject)
            if (missing.size === 0) resolve()
          })
          void check()
        })
        expect(missing.size).toBe(0)
      } finally {
        await alice?.close()
        for (const child of children) {
          child.kill('SIGTERM')
          await killed(child)
        }
        await net.close()
      }
    },
  )
})
