import type { Command } from 'commander'
import {
  ClientError,
  peerIdentityOf,
  safetyNumber,
  type Contact,
  type PeermailNode,
} from '../../client/index.js'
import type { GlobalOptions } from '../options.js'
import { print } from '../output.js'
import { peerAddress } from '../parse.js'
import { withNode } from '../session.js'
import { CliUsageError } from '../usage-error.js'

/** `contacts` and its subcommands: the address book, safety numbers, blocking. All offline. */
export function contactsCommands(program: Command, globals: () => GlobalOptions): void {
  const contacts = program
    .command('contacts')
    .description('list contacts: petname, verified, blocked, and the safety number to compare')
    .addHelpText(
      'after',
      [
        '',
        'Compare the safety number with your contact (in person or on a call), then run',
        '`peermail contacts verify ADDRESS NUMBER` to mark them verified.',
        '',
        'Example:',
        '  peermail contacts --json',
      ].join('\n'),
    )
    .action(async () => {
      await withNode(globals(), async (node, { json }) => {
        const list = (await node.mailbox.contacts.list()).map((c) => withSafetyNumber(node, c))
        print(json, list, () => list.map(describe).join('\n') || '(no contacts)')
      })
    })

  contacts
    .command('add <address>')
    .description('add a contact (mail from contacts goes to the inbox, not Requests)')
    .option('--name <petname>', 'your name for them')
    .addHelpText('after', '\nExample:\n  peermail contacts add pm1… --name "Bob"')
    .action(async (text: string, opts: { name?: string }) => {
      const { address, key } = peerAddress(text)
      // eslint-disable-next-line no-control-regex
      if (opts.name !== undefined && !/^[^\x00-\x1f\x7f]{1,100}$/u.test(opts.name))
        throw new CliUsageError('--name must be 1-100 characters on one line')
      await withNode(globals(), async (node, { json }) => {
        await node.mailbox.contacts.put(
          address,
          opts.name === undefined ? {} : { petname: opts.name },
        )
        await node.mailbox.contacts.observeKey(address, key.toString('hex'))
        const contact = withSafetyNumber(node, await required(node, address))
        print(json, contact, () => `Added ${describe(contact)}`)
      })
    })

  contacts
    .command('verify <address> <number...>')
    .description('mark a contact verified after comparing the 60-digit safety number')
    .addHelpText(
      'after',
      '\nSpaces in the number are ignored. A mismatch exits 1 with SAFETY_NUMBER_MISMATCH.\n\nExample:\n  peermail contacts verify pm1… 12345 67890 12345 67890 12345 67890 12345 67890 12345 67890 12345 67890',
    )
    .action(async (text: string, number: string[]) => {
      const { address, key } = peerAddress(text)
      const digits = number.join('').replace(/\s+/g, '')
      if (!/^\d{60}$/.test(digits))
        throw new CliUsageError('a safety number is 60 digits (spaces are ignored)')
      await withNode(globals(), async (node, { json }) => {
        const expected = safetyNumber(node.identityPublicKey, key).replace(/\s+/g, '')
        if (digits !== expected) throw ClientError.SAFETY_NUMBER_MISMATCH(address)
        const hex = key.toString('hex')
        await node.mailbox.contacts.observeKey(address, hex)
        const contact = withSafetyNumber(node, await node.mailbox.contacts.verify(address, hex))
        print(json, contact, () => `Verified ${describe(contact)}`)
      })
    })

  for (const blocked of [true, false]) {
    contacts
      .command(`${blocked ? 'block' : 'unblock'} <address>`)
      .description(
        blocked
          ? 'refuse connections and mail from an address (from the next time the account is online)'
          : 'accept an address again (from the next time the account is online)',
      )
      .addHelpText(
        'after',
        `\nTakes effect the next time this account goes online (peermail sync, send…).\n\nExample:\n  peermail contacts ${blocked ? 'block' : 'unblock'} pm1…`,
      )
      .action(async (text: string) => {
        const { address, key } = peerAddress(text)
        await withNode(globals(), async (node, { json }) => {
          await blockPeer(node, address, key, blocked)
          const contact = withSafetyNumber(node, await required(node, address))
          print(json, contact, () => `${blocked ? 'Blocked' : 'Unblocked'} ${describe(contact)}`)
        })
      })
  }
}

/**
 * Blocks or unblocks offline. The sync engine builds its refusal list at start-up from blocked contacts
 * with a known identity key, so the key is recorded too (as Account.block does).
 */
export async function blockPeer(
  node: PeermailNode,
  address: string,
  key: Buffer,
  blocked: boolean,
): Promise<void> {
  await node.mailbox.contacts.block(address, blocked)
  await node.mailbox.contacts.observeKey(address, key.toString('hex'))
}

type Shown = Contact & { safetyNumber?: string }

// A Peermail address is its identity key, so every peer contact has a safety number, key seen or not.
function withSafetyNumber(node: PeermailNode, contact: Contact): Shown {
  const theirs = peerIdentityOf(contact.address)
  if (!theirs) return contact
  return { ...contact, safetyNumber: safetyNumber(node.identityPublicKey, theirs) }
}

async function required(node: PeermailNode, address: string): Promise<Contact> {
  const contact = await node.mailbox.contacts.get(address)
  if (!contact) throw ClientError.INVALID_INPUT(`no contact ${address}`)
  return contact
}

function describe(c: Shown): string {
  const marks = [
    c.petname === undefined ? '' : `"${c.petname}"`,
    c.verified ? 'verified' : 'unverified',
    c.blocked ? 'BLOCKED' : '',
    c.keyChange ? 'KEY CHANGED' : '',
  ].filter((m) => m !== '')
  const number = c.safetyNumber === undefined ? '' : `\n  safety number: ${c.safetyNumber}`
  return `${c.address}  ${marks.join('  ')}${number}`
}
