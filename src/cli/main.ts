import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { PeermailError } from '../shared/errors.js'
import { accountCommands } from './commands/account.js'
import { smtpPasswordCommand } from './commands/smtp-password.js'
import { aliasCommands } from './commands/alias.js'
import { bridgeCommand } from './commands/bridge.js'
import { contactsCommands } from './commands/contacts.js'
import { forwardCommand } from './commands/forward.js'
import { mailCommands } from './commands/mail.js'
import { organiseCommands } from './commands/organise.js'
import { relaysCommands } from './commands/relays.js'
import { replyCommand } from './commands/reply.js'
import { requestsCommands } from './commands/requests.js'
import { sendCommand } from './commands/send.js'
import { serveCommand } from './commands/serve.js'
import { serviceCommands } from './commands/services.js'
import { startCommand } from './commands/start.js'
import { statusCommand } from './commands/status.js'
import { syncCommand } from './commands/sync.js'
import { bootstrapNodes, defaultHome, type GlobalOptions } from './options.js'
import { CliUsageError } from './usage-error.js'

const OVERVIEW = `End-to-end encrypted, peer-to-peer email.
  peermail start      open your inbox (creates your account on the first run): what \`npm start\` runs
  peermail demo       a whole small network on this machine, mail flowing between three accounts
  peermail --help     every command: init, send, sync, list, search, import, contacts, relays, relay, serve, ...`

/** Entry point of the `peermail` command; returns the process exit status (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('peermail')
  let debug = argv.includes('--debug')
  program
    .description('End-to-end encrypted, peer-to-peer email')
    .version(readVersion(), '-v, --version')
    .option('--home <dir>', 'account directory (default: $PEERMAIL_HOME or ~/.peermail)')
    .option('--json', 'machine-readable output')
    .option('--debug', 'show stack traces on errors')
    .option(
      '--bootstrap <host:port,...>',
      'DHT bootstrap nodes (default: $PEERMAIL_BOOTSTRAP, else the public HyperDHT)',
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError()
  const globals = (): GlobalOptions => {
    const opts = program.opts<{
      home?: string
      json?: boolean
      debug?: boolean
      bootstrap?: string
    }>()
    debug = opts.debug === true
    return {
      home: opts.home ?? defaultHome(),
      json: opts.json === true,
      debug,
      bootstrap: bootstrapNodes(opts.bootstrap),
    }
  }
  const overview = () => {
    process.stdout.write(`peermail ${readVersion()}\n\n${OVERVIEW}\n`)
  }
  program
    .argument('[command]')
    .allowExcessArguments()
    .action((command: string | undefined) => {
      if (command !== undefined)
        throw new CliUsageError(`unknown command '${command}' (see peermail --help)`)
      overview()
    })
  startCommand(program, globals)
  accountCommands(program, globals)
  mailCommands(program, globals)
  organiseCommands(program, globals)
  sendCommand(program, globals)
  replyCommand(program, globals)
  forwardCommand(program, globals)
  syncCommand(program, globals)
  serveCommand(program, globals)
  statusCommand(program, globals)
  contactsCommands(program, globals)
  requestsCommands(program, globals)
  relaysCommands(program, globals)
  serviceCommands(program, globals)
  bridgeCommand(program, globals)
  aliasCommands(program, globals)
  smtpPasswordCommand(program, globals)
  strict(program)

  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    return report(err, debug)
  }
}

/**
 * Every command, nested ones (contacts add…) included, throws instead of exiting, and refuses stray
 * arguments: the root's allowExcessArguments() (there for its own unknown-command message) is inherited by
 * the commands made after it, and `peermail trash ID1 ID2` must not quietly trash only ID1.
 */
function strict(command: Command): void {
  for (const sub of command.commands) {
    sub.exitOverride().allowExcessArguments(false)
    strict(sub)
  }
}

// Protocol codes only at the edge: error codes become one line and an exit status here.
function report(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.exitCode === 0
      ? 0
      : 2
  }
  if (err instanceof CliUsageError) {
    process.stderr.write(`peermail: ${err.message}\n`)
    return 2
  }
  if (err instanceof PeermailError) {
    process.stderr.write(`peermail: ${err.message} [${err.code}]\n`)
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`)
    return 1
  }
  process.stderr.write(
    `peermail: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`,
  )
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`)
  return 1
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}
