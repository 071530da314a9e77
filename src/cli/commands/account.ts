import type { Command } from 'commander'
import { createAccount, decodeAddress, identityNumber, readAddress } from '../../client/index.js'
import { print } from '../output.js'
import { qrText } from '../qr.js'
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
    .description("show this account's address, its half of every safety number, and a QR code")
    .option('--no-qr', 'leave out the QR code')
    .addHelpText(
      'after',
      [
        '',
        'The QR code holds the address, for a contact to scan; the 30 digits are your half of the',
        'safety number you and any contact compare (`peermail contacts`).',
        '',
        'Example:',
        '  peermail whoami --json',
      ].join('\n'),
    )
    .action(async (opts: { qr: boolean }) => {
      const { home, json } = globals()
      const address = await readAddress(home)
      const number = identityNumber(decodeAddress(address))
      // Coloured (dark on light, so it scans on dark themes) only on a terminal.
      const qr = opts.qr && !json ? qrText(address, { colour: process.stdout.isTTY }) : ''
      print(json, { address, identityNumber: number }, () =>
        [address, '', `Your half of every safety number: ${number}`, ...(qr ? ['', qr] : [])].join(
          '\n',
        ),
      )
    })
}
