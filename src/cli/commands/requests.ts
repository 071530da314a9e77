import type { Command } from 'commander'
import type { PeermailNode } from '../../client/index.js'
import type { GlobalOptions } from '../options.js'
import { print, summaryLine } from '../output.js'
import { peerAddress, toInt } from '../parse.js'
import { withNode } from '../session.js'
import { blockPeer } from './contacts.js'

/** `requests`: mail from strangers, and accepting or refusing them. Offline. */
export function requestsCommands(program: Command, globals: () => GlobalOptions): void {
  const requests = program
    .command('requests')
    .description('list first mails from strangers (the Requests folder), with who sent them')
    .option('-n, --limit <n>', 'messages per page (1-500)', '20')
    .option('--cursor <cursor>', 'the next-page cursor printed by the previous page')
    .addHelpText(
      'after',
      '\nAccept a sender to move their mail to the inbox; refuse to block them.\n\nExample:\n  peermail requests --json',
    )
    .action(async (opts: { limit: string; cursor?: string }) => {
      const limit = toInt(opts.limit, 'limit')
      await withNode(globals(), async (node, { json }) => {
        const page = await node.mailbox.list({
          folder: 'requests',
          limit,
          ...(opts.cursor === undefined ? {} : { cursor: opts.cursor }),
        })
        print(
          json,
          page,
          () =>
            [
              ...page.items.map((m) => `${summaryLine(m)}\n    from ${m.peer ?? '(unknown peer)'}`),
              ...(page.next ? [`(more: --cursor ${page.next})`] : []),
            ].join('\n') || '(no requests)',
        )
      })
    })

  requests
    .command('accept <address>')
    .description('make the sender a contact and move their mail to the inbox')
    .addHelpText('after', '\nExample:\n  peermail requests accept pm1…')
    .action(async (text: string) => {
      const { address, key } = peerAddress(text)
      await withNode(globals(), async (node, { json }) => {
        // As Account.acceptRequest, offline: a contact's later mail skips Requests.
        await node.mailbox.contacts.put(address)
        await node.mailbox.contacts.observeKey(address, key.toString('hex'))
        const moved = await moveRequestsOf(node, address, 'inbox')
        print(json, { address, moved }, () => `Accepted ${address}: ${moved} moved to the inbox`)
      })
    })

  requests
    .command('refuse <address>')
    .description('block the sender and move their mail to Trash')
    .addHelpText(
      'after',
      '\nThe block takes effect the next time this account goes online.\n\nExample:\n  peermail requests refuse pm1…',
    )
    .action(async (text: string) => {
      const { address, key } = peerAddress(text)
      await withNode(globals(), async (node, { json }) => {
        await blockPeer(node, address, key, true)
        const moved = await moveRequestsOf(node, address, 'trash')
        print(json, { address, moved }, () => `Refused ${address}: ${moved} moved to Trash`)
      })
    })
}

/** Moves every request the transport proved came from `peer` (its bare pm1… address) to `folder`. */
async function moveRequestsOf(node: PeermailNode, peer: string, folder: string): Promise<number> {
  let moved = 0
  let cursor: string | undefined
  do {
    const page = await node.mailbox.list({
      folder: 'requests',
      limit: 500,
      ...(cursor === undefined ? {} : { cursor }),
    })
    for (const item of page.items) {
      if (item.peer !== peer) continue
      await node.mailbox.move(item.id, folder)
      moved++
    }
    cursor = page.next
  } while (cursor !== undefined)
  return moved
}
