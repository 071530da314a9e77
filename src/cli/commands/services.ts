import type { Command } from 'commander'
import { openRelay, runDemo, type DemoStep } from '../../client/index.js'
import { PeermailError } from '../../shared/errors.js'
import type { GlobalOptions } from '../options.js'
import { print } from '../output.js'
import { sleep, untilSignal } from '../session.js'
import { CliUsageError } from '../usage-error.js'

/** `relay` and `demo`: the long-running services. */
export function serviceCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('relay')
    .description(
      'run a relay: a blind mirror that holds mail for the accounts that register with it',
    )
    .option('--quota <MB>', 'megabytes held per account', '1024')
    .option('--grace <days>', 'days acknowledged mail is kept before it is cleared', '7')
    .addHelpText(
      'after',
      '\nExample:\n  peermail --home ~/relay relay --quota 512\n\nRuns until Ctrl-C; prints the address accounts put in their relays.',
    )
    .action(async (opts: { quota: string; grace: string }) => {
      const { home, json, bootstrap } = globals()
      const quotaBytes = positive(opts.quota, 'quota') * 1024 * 1024
      const graceMs = positive(opts.grace, 'grace') * 24 * 3600 * 1000
      await untilSignal(async (stop) => {
        const relay = await openRelay({
          home,
          quotaBytes,
          graceMs,
          ...(bootstrap ? { bootstrap } : {}),
        })
        try {
          print(json, { address: relay.address }, () => `Relay running: ${relay.address}`)
          await sleep(Infinity, stop)
        } finally {
          await relay.close()
        }
      })
    })

  program
    .command('demo')
    .description('a whole small network on this machine: a DHT, a relay and three accounts mailing')
    .option('--once', 'run the story and exit: 0 only if every step checked out')
    .addHelpText(
      'after',
      '\nExample:\n  peermail demo --once\n\nEverything stays on 127.0.0.1. Without --once the network keeps running until Ctrl-C,\nso you can use the accounts with the other commands (their homes and passphrases are printed).',
    )
    .action(async (opts: { once?: boolean }) => {
      const { json } = globals()
      await untilSignal(async (stop) => {
        const demo = await runDemo({
          onStep: (step) => {
            if (!json) process.stdout.write(`${stepLine(step)}\n`)
          },
        })
        try {
          const summary = {
            ok: demo.ok,
            steps: demo.steps,
            bootstrap: demo.bootstrap.map((b) => `${b.host}:${b.port}`).join(','),
            accounts: demo.accounts,
            relay: demo.relay,
          }
          if (json) print(json, summary, () => '')
          else if (demo.ok) process.stdout.write(`\nEvery step checked out.\n`)
          if (!demo.ok)
            throw new PeermailError('DEMO_FAILED', 'The demo failed: see the step marked ✗ above')
          if (opts.once) return
          if (!json) process.stdout.write(`${tryItLine(summary)}\n`)
          await sleep(Infinity, stop)
        } finally {
          await demo.close()
        }
      })
    })
}

function stepLine(step: DemoStep): string {
  return `${step.ok ? '✓' : '✗'} ${step.title} (${step.ms} ms)\n    ${step.detail}`
}

function tryItLine(summary: {
  bootstrap: string
  accounts: { name: string; home: string; passphrase: string }[]
}): string {
  const bob = summary.accounts.find((a) => a.name === 'bob')
  return [
    '',
    'The network keeps running until Ctrl-C. Try, in another terminal:',
    `  PEERMAIL_PASSPHRASE=${bob?.passphrase ?? ''} peermail --home ${bob?.home ?? ''} list --folder inbox`,
    `  (every command takes --bootstrap ${summary.bootstrap} to reach this network)`,
    ...summary.accounts.map((a) => `  ${a.name}: home ${a.home}, passphrase ${a.passphrase}`),
  ].join('\n')
}

function positive(value: string, name: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new CliUsageError(`--${name} must be a positive number`)
  return n
}
