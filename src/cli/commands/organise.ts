import type { Command } from 'commander'
import type { Flags } from '../../client/index.js'
import type { GlobalOptions } from '../options.js'
import { print, summaryLine } from '../output.js'
import { withNode } from '../session.js'
import { CliUsageError } from '../usage-error.js'

interface FlagOptions {
  seen?: boolean
  unseen?: boolean
  flagged?: boolean
  unflagged?: boolean
  answered?: boolean
  unanswered?: boolean
}

/** `move`, `flag`, `trash`: filing mail, offline. */
export function organiseCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('move <id> <folder>')
    .description('move a message to another folder')
    .addHelpText('after', '\nExample:\n  peermail move 01kaxyz... archive')
    .action(async (id: string, folder: string) => {
      await withNode(globals(), async (node, { json }) => {
        const summary = await node.mailbox.move(id, folder)
        print(json, summary, () => `Moved to ${summary.folder}: ${summaryLine(summary)}`)
      })
    })

  program
    .command('flag <id>')
    .description('set or clear the read, flagged and answered marks of a message')
    .option('--seen', 'mark read')
    .option('--unseen', 'mark unread')
    .option('--flagged', 'flag (star)')
    .option('--unflagged', 'remove the flag')
    .option('--answered', 'mark answered')
    .option('--unanswered', 'clear the answered mark')
    .addHelpText('after', '\nExample:\n  peermail flag 01kaxyz... --seen --flagged')
    .action(async (id: string, opts: FlagOptions) => {
      const flags = flagChanges(opts)
      await withNode(globals(), async (node, { json }) => {
        const summary = await node.mailbox.setFlags(id, flags)
        const marks = Object.entries(summary.flags)
          .map(([name, on]) => `${on ? '+' : '-'}${name}`)
          .join(' ')
        print(json, summary, () => `${summary.id}: ${marks}`)
      })
    })

  program
    .command('trash <id>')
    .description('move a message to Trash (move it back out to restore it)')
    .addHelpText('after', '\nExample:\n  peermail trash 01kaxyz...')
    .action(async (id: string) => {
      await withNode(globals(), async (node, { json }) => {
        const summary = await node.mailbox.trash(id)
        print(json, summary, () => `Trashed: ${summaryLine(summary)}`)
      })
    })
}

function flagChanges(opts: FlagOptions): Partial<Flags> {
  const flags: Partial<Flags> = {}
  const pairs = [
    ['seen', opts.seen, opts.unseen],
    ['flagged', opts.flagged, opts.unflagged],
    ['answered', opts.answered, opts.unanswered],
  ] as const
  for (const [name, on, off] of pairs) {
    if (on && off) throw new CliUsageError(`--${name} and --un${name} contradict each other`)
    if (on) flags[name] = true
    if (off) flags[name] = false
  }
  if (Object.keys(flags).length === 0)
    throw new CliUsageError(
      'say what to change: --seen, --unseen, --flagged, --unflagged, --answered…',
    )
  return flags
}
