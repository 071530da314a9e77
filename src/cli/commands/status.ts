import type { Command } from 'commander'
import { outgoingSummary, readSettings } from '../../client/index.js'
import { report } from '../delivery.js'
import type { GlobalOptions } from '../options.js'
import { print } from '../output.js'
import { toSeconds } from '../parse.js'
import { sleep, withAccount, withNode } from '../session.js'

/** `status`: a sent mail's delivery, or the folder counts. Offline: it reads what sync recorded. */
export function statusCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('status [id]')
    .description(
      "a sent mail's delivery state per recipient; without an id, the folders, what waits to go out, and the relays",
    )
    .addHelpText(
      'after',
      '\nStates: queued (waiting for the recipient), relayed, delivered, failed (refused).\n\nExamples:\n  peermail status 01kaxyz... --json\n  peermail status --online',
    )
    .option(
      '--online [seconds]',
      'go online for a few seconds (default 5) and also say whether the network answers, which peers are connected and which relays are reachable',
    )
    .action(async (id: string | undefined, opts: { online?: string | boolean }) => {
      if (opts.online !== undefined && id === undefined) {
        const seconds = opts.online === true ? 5 : toSeconds(String(opts.online), 'online')
        await onlineStatus(globals(), seconds)
        return
      }
      await withNode(globals(), async (node, { json }) => {
        if (id !== undefined) {
          const status = { ...((await node.mailbox.get(id)).delivery ?? {}) }
          print(json, { id, status }, () =>
            Object.keys(status).length === 0
              ? `${id} is not outgoing mail (no delivery state)`
              : report(id, status).replace(/^Sent /, 'Mail '),
          )
          return
        }
        const counts = await node.mailbox.counts()
        const outgoing = await outgoingSummary(node.mailbox)
        const { relays } = await readSettings(node.home)
        print(json, { folders: counts, outgoing, relays }, () =>
          [
            ...Object.entries(counts).map(([folder, c]) =>
              `${folder.padEnd(12)} ${String(c.total).padStart(6)} ${c.unread > 0 ? `(${c.unread} unread)` : ''}`.trimEnd(),
            ),
            '',
            outgoing.waiting === 0
              ? 'Outgoing: nothing waiting'
              : `Outgoing: ${outgoing.waiting} mail${outgoing.waiting === 1 ? '' : 's'} waiting for ${outgoing.recipients.length} recipient${outgoing.recipients.length === 1 ? '' : 's'} (delivered the next time you are both online, e.g. during \`peermail sync\`)`,
            relays.length === 0
              ? 'Relays: none (mail reaches you only while you are online: `peermail relays add`)'
              : `Relays: ${relays.join(', ')}`,
          ].join('\n'),
        )
      })
    })
}

/** `status --online`: the account online for `seconds`, then what it sees of the network. */
async function onlineStatus(g: GlobalOptions, seconds: number): Promise<void> {
  await withAccount(g, async (account, stop) => {
    // Connections to peers and relays form in the first seconds; the DHT has answered (or not) by now.
    await sleep(seconds * 1000, stop)
    const now = await account.connectivity()
    print(g.json, now, () =>
      [
        now.online
          ? 'Network: online (the DHT answers)'
          : 'Network: unreachable (the DHT did not answer)',
        `Peers connected: ${now.peers.length === 0 ? 'none' : now.peers.join(', ')}`,
        now.relays.length === 0
          ? 'Relays: none'
          : `Relays: ${now.relays.map((r) => `${r.relay} (${r.connected ? 'connected' : 'not reached'})`).join(', ')}`,
        `Outgoing: ${now.outgoing.waiting} waiting`,
      ].join('\n'),
    )
  })
}
