import type { Command } from 'commander'
import type { GlobalOptions } from '../options.js'
import { print } from '../output.js'
import { withAccount } from '../session.js'
import { CliUsageError } from '../usage-error.js'

/** `alias` and its subcommands: this account's ordinary addresses on SMTP bridges. */
export function aliasCommands(program: Command, globals: () => GlobalOptions): void {
  const alias = program
    .command('alias')
    .description('ordinary email addresses (name@domain) that bridges deliver to this account')
    .addHelpText(
      'after',
      [
        '',
        'A bridge (`peermail bridge`) turns ordinary mail for name@domain into Peermail for you, and',
        'sends your mail to ordinary addresses. Ask its operator for the bridge address.',
        '',
        'Examples:',
        '  peermail alias add alice@example.org --bridge pm1...',
        '  peermail alias list',
        '  peermail alias remove alice@example.org',
      ].join('\n'),
    )

  alias
    .command('list', { isDefault: true })
    .description('list the aliases this account holds, with their bridges')
    .addHelpText('after', '\nExample:\n  peermail alias list --json')
    .action(async () => {
      const globalOptions = globals()
      await withAccount(globalOptions, async (account) => {
        const list = await account.listAliases()
        print(
          globalOptions.json,
          list,
          () => list.map((a) => `${a.alias}  via ${a.bridge}`).join('\n') || '(no aliases)',
        )
      })
    })

  alias
    .command('add <alias>')
    .description('register name@domain with a bridge (the bridge must be reachable)')
    .requiredOption(
      '--bridge <address>',
      "the bridge's pm1… address, as `peermail bridge` prints it",
    )
    .option('--timeout <seconds>', 'how long to wait for the bridge to answer', '120')
    .addHelpText('after', '\nExample:\n  peermail alias add alice@example.org --bridge pm1...')
    .action(async (name: string, opts: { bridge: string; timeout: string }) => {
      const globalOptions = globals()
      const timeoutMs = seconds(opts.timeout)
      await withAccount(globalOptions, async (account) => {
        const added = await account.addAlias(name, opts.bridge, timeoutMs)
        print(globalOptions.json, added, () => `Added ${added.alias} via ${added.bridge}`)
      })
    })

  alias
    .command('remove <alias>')
    .description('give an alias up at its bridge; mail to it is refused from then on')
    .option('--timeout <seconds>', 'how long to wait for the bridge to answer', '120')
    .addHelpText('after', '\nExample:\n  peermail alias remove alice@example.org')
    .action(async (name: string, opts: { timeout: string }) => {
      const globalOptions = globals()
      const timeoutMs = seconds(opts.timeout)
      await withAccount(globalOptions, async (account) => {
        await account.removeAlias(name, timeoutMs)
        print(globalOptions.json, { removed: name }, () => `Removed ${name}`)
      })
    })
}

// Finding a peer on the DHT can take a while (stale routing entries time out one by one): the command
// line waits longer than the library's 30 s default.
function seconds(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0 || n > 3600)
    throw new CliUsageError('--timeout must be a number of seconds (1-3600)')
  return n * 1000
}
