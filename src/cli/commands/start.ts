import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { createAccount, hasAccount } from '../../client/index.js'
import type { GlobalOptions } from '../options.js'
import { toInt } from '../parse.js'
import { askNewPassphrase, askSecret, askYesNo } from '../prompt.js'
import { ELECTRON_MAIN, electronBinary, runElectron } from '../electron.js'
import { untilSignal, withAccount } from '../session.js'
import { CliUsageError } from '../usage-error.js'
import { serveInbox } from './serve.js'

/**
 * `start` (what `npm start` runs): the main job. Opens the account, creating it first on a first run
 * (after asking), and the inbox: in Electron when its binary is installed, else online with the inbox
 * served on 127.0.0.1 until Ctrl-C.
 */
export function startCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('start')
    .description('open your inbox: the account (created on first run), online, with the web UI')
    .option('-y, --yes', 'create the account without asking if there is none (for scripts)')
    .option('-p, --port <n>', 'port for the inbox (default: any free port)', '0')
    .option('--no-electron', 'serve the inbox to the browser even when Electron is installed')
    .option(
      '--smtp-port <n>',
      'also take mail from mail apps by SMTP on 127.0.0.1 (0: any free port); see `peermail smtp-password`',
    )
    .addHelpText(
      'after',
      [
        '',
        'Opens your inbox in Electron when its binary is installed; otherwise prints the URL of your',
        'inbox (the access token after #token=; do not share it) and serves it until Ctrl-C. Without a',
        'network, the inbox still opens and mail queues until one exists.',
        'Scripts: PEERMAIL_PASSPHRASE=... peermail start --yes',
        'With --smtp-port, mail apps on this computer can send as you (Settings › Mail apps).',
        '',
        'Example:',
        '  npm start',
      ].join('\n'),
    )
    .action(async (opts: { yes?: boolean; port: string; electron: boolean; smtpPort?: string }) => {
      const g = globals()
      const port = toInt(opts.port, 'port', 0)
      if (port > 65535) throw new CliUsageError('--port must be at most 65535')
      const smtpPort =
        opts.smtpPort === undefined ? undefined : toInt(opts.smtpPort, 'smtp-port', 0)
      if (smtpPort !== undefined && smtpPort > 65535)
        throw new CliUsageError('--smtp-port must be at most 65535')
      const created = (await hasAccount(g.home)) ? undefined : await firstRun(g, opts.yes === true)
      const passphrase = created ?? (await askSecret('Passphrase: '))
      const electron = opts.electron ? electronBinary() : undefined
      if (electron !== undefined && existsSync(ELECTRON_MAIN)) {
        process.stderr.write('Opening your inbox in Electron (Ctrl-C to stop)\n')
        const bootstrap = g.bootstrap?.map((node) => `${node.host}:${node.port}`).join(',')
        await untilSignal((stop) =>
          runElectron(
            electron,
            {
              home: g.home,
              passphrase,
              ...(bootstrap ? { bootstrap } : {}),
              ...(smtpPort === undefined ? {} : { smtpPort }),
            },
            stop,
          ),
        )
        return
      }
      await withAccount(
        g,
        async (account, stop) => {
          // Said plainly, and nothing else changes: the inbox opens and mail queues until a connection.
          const { online } = await account.connectivity()
          const note = online
            ? `Online as ${account.address}`
            : `No network reachable (the DHT did not answer): your mailbox is open and mail waits until there is one. ${account.address}`
          await serveInbox(account, stop, {
            host: '127.0.0.1',
            port,
            json: g.json,
            note,
            ...(smtpPort === undefined ? {} : { smtpPort }),
          })
        },
        { passphrase },
      )
    })
}

/** Creates the account of a first run, after asking; returns its passphrase. */
async function firstRun(g: GlobalOptions, yes: boolean): Promise<string> {
  if (!yes) {
    if (!process.stdin.isTTY) {
      throw new CliUsageError(
        `no account in ${g.home}: run \`peermail init\`, or \`peermail start --yes\` to create one here`,
      )
    }
    const create = await askYesNo(`No Peermail account in ${g.home} yet. Create one?`, true)
    if (!create) throw new CliUsageError('no account: nothing to open')
  }
  const passphrase = await askNewPassphrase()
  const { address, phrase } = await createAccount({ home: g.home, passphrase })
  // The phrase goes to stderr: stdout carries the URL (or JSON) that scripts read.
  process.stderr.write(
    [
      `Created account ${address}`,
      '',
      'Recovery phrase (write it down; it is shown only this once and restores the account anywhere):',
      `  ${phrase}`,
      '',
      '',
    ].join('\n'),
  )
  return passphrase
}
