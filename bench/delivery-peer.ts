/**
 * A recipient account in a process of its own, for bench/delivery.ts: the latency figure between two
 * processes (as two machines would be) beside the one with both accounts on one event loop.
 *
 * Run by the bench as `node --import tsx bench/delivery-peer.ts HOME BOOTSTRAP_JSON`. It reports
 * `{ type: 'ready', address }` once online and `{ type: 'mail', at }` for every mail (`at`: its
 * process.hrtime.bigint() when the `mail` event fired; the clock is CLOCK_MONOTONIC, shared by every
 * process on the machine). It takes `{ type: 'send', to, subject, text }` and `{ type: 'close' }`.
 */
import { openAccount, type BootstrapNode } from '../src/index.js'

export type PeerCommand =
  { type: 'send'; to: string; subject: string; text: string } | { type: 'close' }
export type PeerReport =
  | { type: 'ready'; address: string }
  | { type: 'mail'; at: string }
  | { type: 'sent' }
  | { type: 'error'; message: string }

const [home, bootstrapJson] = process.argv.slice(2)
if (!home || !bootstrapJson || !process.send) {
  console.error('usage: delivery-peer.ts HOME BOOTSTRAP_JSON (as a child process with IPC)')
  process.exit(2)
}
const report = (message: PeerReport) => process.send?.(message)

const account = await openAccount({
  home,
  passphrase: 'pass-remote',
  bootstrap: JSON.parse(bootstrapJson) as BootstrapNode[],
  vaultParams: { opsLimit: 1, memLimit: 65536 },
  backoffs: [100, 300, 600, 1000],
})
account.on('mail', () => {
  report({ type: 'mail', at: process.hrtime.bigint().toString() })
})
process.on('message', (command: PeerCommand) => {
  if (command.type === 'close') {
    void account.close().then(() => process.exit(0))
    return
  }
  account.send({ to: command.to, subject: command.subject, text: command.text }).then(
    () => report({ type: 'sent' }),
    (err: unknown) => report({ type: 'error', message: String(err) }),
  )
})
report({ type: 'ready', address: account.address })
