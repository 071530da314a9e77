import type { Command } from 'commander'
import {
  renewSubmissionPassword,
  revokeSubmissionPassword,
} from '../../client/submission-password.js'
import type { GlobalOptions } from '../options.js'
import { print } from '../output.js'
import { withAccount } from '../session.js'

/** `smtp-password`: the app password mail clients log in to local submission with. */
export function smtpPasswordCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('smtp-password')
    .description(
      'make (or, with --revoke, remove) the password mail clients send through Peermail with',
    )
    .option('--revoke', 'remove the password: no mail client can log in until a new one is made')
    .addHelpText(
      'after',
      [
        '',
        'Ordinary mail clients (Thunderbird, mutt, git send-email) can send as this account through',
        '`peermail serve --smtp-port N`: SMTP on 127.0.0.1, AUTH PLAIN or LOGIN, user name your pm1…',
        'address, password the one this prints. It is shown only once; a new one replaces it. Run this',
        'while no `serve` or `start` has the account open.',
        '',
        'Examples:',
        '  peermail smtp-password',
        '  peermail smtp-password --revoke',
      ].join('\n'),
    )
    .action(async (opts: { revoke?: boolean }) => {
      const g = globals()
      await withAccount(g, async (account) => {
        if (opts.revoke) {
          await revokeSubmissionPassword(account)
          print(g.json, { revoked: true }, () => 'The SMTP app password is removed.')
          return
        }
        const password = await renewSubmissionPassword(account)
        print(g.json, { user: account.address, password }, () =>
          [
            `SMTP user:     ${account.address}`,
            `SMTP password: ${password}`,
            '',
            'Shown only this once; any earlier password no longer works. Serve submission with',
            '`peermail serve --smtp-port 1587` and point your mail client at 127.0.0.1:1587 (no TLS).',
          ].join('\n'),
        )
      })
    })
}
