import type { Command } from 'commander'
import { startLocalServer, type LocalServer } from '../../app/main/index.js'
import { openRelay, runDemo, type Demo, type DemoStep } from '../../client/index.js'
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
    .description(
      'a whole small network on this machine: a DHT, a relay, three accounts, a bridge to ordinary email; mail flowing, each account with its inbox',
    )
    .option('--once', 'run the story and exit: 0 only if every step checked out')
    .addHelpText(
      'after',
      "\nExample:\n  peermail demo --once\n\nEverything stays on 127.0.0.1. Without --once the network keeps running until Ctrl-C and each\naccount's inbox is served (their URLs are printed); use the accounts with the other commands too\n(their homes and passphrases are printed).",
    )
    .action(async (opts: { once?: boolean }) => {
      const { json } = globals()
      await untilSignal(async (stop) => {
        const demo = await runDemo({
          onStep: (step) => {
            if (!json) process.stdout.write(`${stepLine(step)}\n`)
          },
        })
        const inboxes: Inbox[] = []
        try {
          // Served before the summary is printed, so that --json gives one object with their URLs.
          if (demo.ok && !opts.once) inboxes.push(...(await serveInboxes(demo)))
          const summary = {
            ok: demo.ok,
            steps: demo.steps,
            bootstrap: demo.bootstrap.map((b) => `${b.host}:${b.port}`).join(','),
            accounts: demo.accounts,
            relay: demo.relay,
            ...(opts.once ? {} : { inboxes: inboxes.map(({ name, url }) => ({ name, url })) }),
          }
          if (json) print(json, summary, () => '')
          else if (demo.ok) process.stdout.write(`\nEvery step checked out.\n`)
          if (!demo.ok)
            throw new PeermailError('DEMO_FAILED', 'The demo failed: see the step marked ✗ above')
          if (opts.once) return
          if (!json) process.stdout.write(`${inboxLines(inboxes)}\n${tryItLine(summary)}\n`)
          await sleep(Infinity, stop)
        } finally {
          for (const inbox of inboxes) await inbox.server.close()
          await demo.close()
        }
      })
    })
}

interface Inbox {
  name: string
  url: string
  server: LocalServer
}

/** Each demo account's inbox, served on 127.0.0.1 as `peermail serve` would. */
async function serveInboxes(demo: Demo): Promise<Inbox[]> {
  const inboxes: Inbox[] = []
  try {
    for (const { name } of demo.accounts) {
      const account = demo.account(name)
      if (!account) continue
      const server = await startLocalServer({ account })
      inboxes.push({ name, url: server.url, server })
    }
  } catch (err) {
    for (const inbox of inboxes) await inbox.server.close()
    throw err
  }
  return inboxes
}

function inboxLines(inboxes: { name: string; url: string }[]): string {
  return [
    '',
    'Their inboxes, open in a browser on this machine:',
    ...inboxes.map(({ name, url }) => `  ${name.padEnd(6)} ${url}`),
  ].join('\n')
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
