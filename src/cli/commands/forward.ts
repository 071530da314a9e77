import type { Command } from 'commander'
import { readBody } from '../compose-input.js'
import { sendAndReport } from '../delivery.js'
import type { GlobalOptions } from '../options.js'
import { toSeconds } from '../parse.js'
import { withAccount } from '../session.js'
import { CliUsageError } from '../usage-error.js'
import { recipients } from './send.js'

interface ForwardOptions {
  to: string[]
  cc?: string[]
  body?: string
  wait: string
}

/** `forward`: send a stored message on, attached whole. */
export function forwardCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('forward <id>')
    .description('forward a message, attached byte for byte (message/rfc822)')
    .requiredOption('--to <address...>', 'recipients')
    .option('--cc <address...>', 'copy recipients')
    .option('--body <text>', 'a note above it (default: standard input when piped, else none)')
    .option('--wait <seconds>', 'how long to wait for delivery receipts', '15')
    .addHelpText(
      'after',
      '\nThe original is attached unchanged, so its headers and signatures survive.\n\nExample:\n  peermail forward 01kaxyz... --to pm1… --body "FYI"',
    )
    .action(async (id: string, opts: ForwardOptions) => {
      const g = globals()
      const waitSeconds = toSeconds(opts.wait, 'wait')
      const to = recipients(opts.to)
      if (to.length === 0) throw new CliUsageError('--to needs at least one address')
      const cc = recipients(opts.cc ?? [])
      const text = await readBody(opts.body, false)
      await withAccount(g, async (account, stop) => {
        const original = await account.mailbox.store.get(id)
        const raw = await account.mailbox.store.raw(id)
        await sendAndReport(
          account,
          {
            to,
            cc,
            subject: /^\s*fwd?\s*:/i.test(original.subject)
              ? original.subject
              : `Fwd: ${original.subject}`,
            text,
            attachments: [
              {
                filename: `${fileStem(original.subject)}.eml`,
                content: raw,
                contentType: 'message/rfc822',
                disposition: 'attachment',
              },
            ],
          },
          { waitSeconds, json: g.json, stop },
        )
      })
    })
}

// A subject makes a recognisable file name; anything a file system or a header could choke on goes.
function fileStem(subject: string): string {
  const stem = subject
    .replace(/[^\p{L}\p{N} ._()-]+/gu, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s._]+|[\s._]+$/g, '')
    .slice(0, 100)
  return stem === '' ? 'message' : stem
}
