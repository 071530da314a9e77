import type { Command } from 'commander'
import { addRelay, readSettings, removeRelay } from '../../client/index.js'
import type { GlobalOptions } from '../options.js'
import { print } from '../output.js'

const TAKES_EFFECT = 'Takes effect the next time the account goes online (sync, serve, send).'

/** `relays` and its subcommands: the relays that hold this account's mail while it is offline. */
export function relaysCommands(program: Command, globals: () => GlobalOptions): void {
  const relays = program
    .command('relays')
    .description('list the relays that keep mail for this account while it is offline')
    .addHelpText(
      'after',
      [
        '',
        'Senders hand mail to your relays when they cannot reach you; you collect it when you come',
        'back online. Relays store it encrypted and cannot read it. Run one with `peermail relay`.',
        '',
        'Example:',
        '  peermail relays add pm1...',
      ].join('\n'),
    )
    .action(async () => {
      const { home, json } = globals()
      const list = (await readSettings(home)).relays
      print(
        json,
        list,
        () => list.join('\n') || '(no relays: mail reaches you only while you are online)',
      )
    })

  relays
    .command('add <address>')
    .description('use a relay (its pm1… address, as `peermail relay` prints it)')
    .addHelpText('after', `\n${TAKES_EFFECT}\n\nExample:\n  peermail relays add pm1...`)
    .action(async (address: string) => {
      const { home, json } = globals()
      const list = await addRelay(home, address)
      print(json, list, () => `Relays:\n${list.map((r) => `  ${r}`).join('\n')}\n${TAKES_EFFECT}`)
    })

  relays
    .command('remove <address>')
    .description('stop using a relay')
    .addHelpText('after', `\n${TAKES_EFFECT}\n\nExample:\n  peermail relays remove pm1...`)
    .action(async (address: string) => {
      const { home, json } = globals()
      const list = await removeRelay(home, address)
      print(json, list, () =>
        list.length === 0
          ? `No relays left: mail reaches you only while you are online.`
          : `Relays:\n${list.map((r) => `  ${r}`).join('\n')}\n${TAKES_EFFECT}`,
      )
    })
}
