import type { Command } from 'commander'
import { createAccount, readAddress } from '../../client/index.js'
import { print } from '../output.js'
import { askNewPassphrase, askSecret, readStdin } from '../prompt.js'
import type { GlobalOptions } from '../options.js'

/** `init`, `restore`, `whoami`. */
export function accountCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('init')
    .description('create a new account and show its recovery phrase (once)')
    .addHelpText('after', '\nExample:\n  PEERMAIL_PASSPHRASE=... peermail init --home ~/.peermail')
    .action(async () => {
      const { home, json } = globals()
      const passphrase = await askNewPassphrase()
      const { address, phrase } = await createAccount({ home, passphrase })
      print(json, { address, phrase }, () =>
        [
          `Created account ${address}`,
          '',
          'Recovery phrase (write it down; it is shown only this once and restores the account anywhere):',
          `  ${phrase}`,
        ].join('\n'),
      )
    })

  program
    .command('restore')
    .description(
      'restore an account from its 24-word recovery phrase (PEERMAIL_PHRASE, stdin or prompt)',
    )
    .addHelpText(
      'after',
      '\nExample:\n  echo "word1 ... word24" | PEERMAIL_PASSPHRASE=... peermail restore',
    )
    .action(async () => {
      const { home, json } = globals()
      const phrase =
        process.env.PEERMAIL_PHRASE ??
        (process.stdin.isTTY
          ? await askSecret('Recovery phrase: ', 'PEERMAIL_PHRASE')
          : await readStdin())
      const passphrase = await askNewPassphrase()
      const { address } = await createAccount({ home, passphrase, phrase })
      print(json, { address }, () => `Restored account ${address}`)
    })

  program
    .command('whoami')
    .description("show this account's address")
    .addHelpText('after', '\nExample:\n  peermail whoami --json')
    .action(async () => {
      const { home, json } = globals()
      const address = await readAddress(home)
      print(json, { address }, () => address)
    })
}
