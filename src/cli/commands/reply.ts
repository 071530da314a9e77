import type { Command } from 'commander'
import { ClientError, peerIdentityOf, type Account, type ReadMessage } from '../../client/index.js'
import { readBody, readParts } from '../compose-input.js'
import { sendAndReport } from '../delivery.js'
import type { GlobalOptions } from '../options.js'
import { toSeconds } from '../parse.js'
import { withAccount } from '../session.js'

interface ReplyOptions {
  all?: boolean
  body?: string
  attach?: string[]
  quote: boolean
  wait: string
}

/** `reply`: answer a stored message, threaded under it. */
export function replyCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('reply <id>')
    .description('answer a message (to its verified sender), threaded under it')
    .option('--all', 'also to everyone else it was sent to (To and Cc), except you')
    .option('--body <text>', 'your answer (default: standard input)')
    .option('--attach <file...>', 'files to attach')
    .option('--no-quote', 'do not quote the original text under the answer')
    .option('--wait <seconds>', 'how long to wait for delivery receipts', '15')
    .addHelpText(
      'after',
      '\nThe answer goes to the sender the network proved (not just the From header).\n\nExample:\n  peermail reply 01kaxyz... --all --body "Agreed."',
    )
    .action(async (id: string, opts: ReplyOptions) => {
      const g = globals()
      const waitSeconds = toSeconds(opts.wait, 'wait')
      const parts = await readParts(await readBody(opts.body, true), opts)
      await withAccount(g, async (account, stop) => {
        const original = await account.mailbox.read(id)
        const bridges = new Set((await account.listAliases()).map((a) => a.bridge))
        const { to, cc } = replyRecipients(account, original, opts.all === true, bridges)
        await sendAndReport(
          account,
          {
            to,
            cc,
            subject: /^\s*re\s*:/i.test(original.subject)
              ? original.subject
              : `Re: ${original.subject}`,
            text: opts.quote ? parts.text + quoted(original) : parts.text,
            attachments: parts.attachments,
            inReplyTo: id,
          },
          // Account.send marks the original answered (inReplyTo is its mailbox id).
          { waitSeconds, json: g.json, stop },
        )
      })
    })
}

/**
 * To: the proven sender (`peer`), else the From header; for one's own sent mail, its recipients again.
 * Mail that came through one of the account's `bridges` was proven to come from the bridge, which vouches
 * for its From (an ordinary address): that is who the answer goes to, back out through the bridge. With
 * --all, the other recipients too, never oneself; ordinary addresses only when the account has a bridge
 * to reach them (skipped with a note otherwise).
 */
function replyRecipients(
  account: Account,
  original: ReadMessage,
  all: boolean,
  bridges: Set<string>,
): { to: string[]; cc: string[] } {
  const seen = new Set<string>([account.address])
  const pick = (list: string[]) =>
    list.filter((address) => {
      const key = bare(address)
      if (seen.has(key)) return false
      seen.add(key)
      if (peerIdentityOf(address) || bridges.size > 0) return true
      process.stderr.write(
        `peermail: skipping ${address} (not a Peermail address, and no bridge)\n`,
      )
      return false
    })
  const bridged = original.peer !== undefined && bridges.has(bare(original.peer))
  const sender = bridged ? original.from[0]?.address : (original.peer ?? original.from[0]?.address)
  if (sender === undefined) throw ClientError.INVALID_INPUT('the message names no sender to answer')
  const fromMe = bare(sender) === account.address
  // The sender is the one recipient the answer must have: kept even if not a peer, so send() says why.
  const to = fromMe ? pick(original.to.map((a) => a.address)) : [sender]
  if (!fromMe) seen.add(bare(sender))
  if (to.length === 0)
    throw ClientError.INVALID_INPUT('the message has no Peermail recipient to answer')
  if (!all) return { to, cc: [] }
  return {
    to: [...to, ...pick(original.to.map((a) => a.address))],
    cc: pick(original.cc.map((a) => a.address)),
  }
}

function bare(address: string): string {
  const text = address.trim().toLowerCase()
  return peerIdentityOf(text) ? (text.split('@')[0] ?? text) : text
}

function quoted(original: ReadMessage): string {
  if (original.text === undefined || original.text.trim() === '') return ''
  const who = original.from[0]?.name || original.peer || original.from[0]?.address || 'someone'
  const lines = original.text.replace(/\r\n/g, '\n').trimEnd().split('\n')
  return `\n\nOn ${new Date(original.date).toUTCString()}, ${who} wrote:\n${lines.map((l) => `> ${l}`).join('\n')}\n`
}
