import type { Command } from 'commander'
import { readBody, readParts } from '../compose-input.js'
import { sendAndReport } from '../delivery.js'
import type { GlobalOptions } from '../options.js'
import { isOrdinaryAddress, peerAddress, splitAddresses, toSeconds } from '../parse.js'
import { withAccount } from '../session.js'
import { CliUsageError } from '../usage-error.js'

interface SendOptions {
  to: string[]
  cc?: string[]
  bcc?: string[]
  subject: string
  body?: string
  html?: string
  attach?: string[]
  wait: string
}

/** `send`: compose a mail, deliver it peer to peer, and wait a little for the receipts. */
export function sendCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('send')
    .description('send a mail to Peermail addresses and wait for delivery')
    .requiredOption(
      '--to <address...>',
      'recipients: pm1…, pm1…@peermail.invalid, "Name <pm1…>", or ordinary addresses (through your bridge)',
    )
    .option('--cc <address...>', 'copy recipients')
    .option('--bcc <address...>', 'blind copy recipients (not shown to the others)')
    .requiredOption('-s, --subject <text>', 'subject')
    .option('--body <text>', 'message text (default: standard input)')
    .option('--html <file>', 'an HTML version of the message, from a file')
    .option('--attach <file...>', 'files to attach')
    .option('--wait <seconds>', 'how long to wait for delivery receipts', '15')
    .addHelpText(
      'after',
      [
        '',
        'Mail goes straight to the recipients when they are online; otherwise it stays queued and leaves',
        'the next time both of you are online (peermail sync). Exit status 0 in both cases.',
        '',
        'Example:',
        '  echo "See you at 6" | peermail send --to pm1… -s "Dinner" --attach map.png',
      ].join('\n'),
    )
    .action(async (opts: SendOptions) => {
      const g = globals()
      const waitSeconds = toSeconds(opts.wait, 'wait')
      const to = recipients(opts.to)
      if (to.length === 0) throw new CliUsageError('--to needs at least one address')
      const cc = recipients(opts.cc ?? [])
      const bcc = recipients(opts.bcc ?? [])
      const parts = await readParts(await readBody(opts.body, true), opts)
      await withAccount(g, (account, stop) =>
        sendAndReport(
          account,
          {
            to,
            cc,
            bcc,
            subject: opts.subject,
            text: parts.text,
            ...(parts.html === undefined ? {} : { html: parts.html }),
            attachments: parts.attachments,
          },
          { waitSeconds, json: g.json, stop },
        ),
      )
    })
}

/**
 * The recipients as typed, each checked first: Peermail addresses strictly (see {@link peerAddress}),
 * ordinary ones for their shape (they go out through the account's bridge, which `send` requires).
 */
export function recipients(values: string[]): string[] {
  const list = splitAddresses(values)
  for (const item of list) if (!isOrdinaryAddress(item)) peerAddress(item)
  return list
}
