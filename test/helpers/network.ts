import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base } from 'vitest'
import {
  createLocalNetwork,
  openAccount,
  type Account,
  type LocalNetwork,
  type MessageSummary,
  type OpenAccountOptions,
} from '../../src/index.js'

/** Argon2id at its floor: tests open many vaults, and the vault's strength is tested elsewhere. */
export const FAST_VAULT = { opsLimit: 1, memLimit: 8192 * 8 }
/** Short redial delays, so an offline peer coming back is found within a second or two. */
export const FAST_BACKOFFS: [number, number, number, number] = [100, 300, 600, 1000]

/** A loopback DHT and a factory for accounts on it; everything is closed and deleted after the test. */
export interface TestNetwork {
  net: LocalNetwork
  dir: string
  /** Opens (creating on first use) the account called `name`; reopening after close() works. */
  open(name: string, options?: Partial<OpenAccountOptions>): Promise<Account>
}

export const test = base.extend<{ network: TestNetwork }>({
  // eslint-disable-next-line no-empty-pattern
  network: async ({}, use) => {
    const net = await createLocalNetwork()
    const dir = await mkdtemp(join(tmpdir(), 'peermail-net-'))
    const opened: Account[] = []
    try {
      await use({
        net,
        dir,
        open: async (name, options = {}) => {
          const account = await openAccount({
            home: join(dir, name),
            passphrase: `pass-${name}`,
            bootstrap: net.bootstrap,
            vaultParams: FAST_VAULT,
            stampDifficulty: 8,
            backoffs: FAST_BACKOFFS,
            redialEveryMs: 2000,
            ...options,
          })
          opened.push(account)
          return account
        },
      })
    } finally {
      for (const account of opened) await account.close()
      await net.close()
      await rm(dir, { recursive: true, force: true })
    }
  },
})

/** Resolves with the first `count` mails `account` receives (from now on). */
export function nextMails(account: Account, count = 1): Promise<MessageSummary[]> {
  return new Promise((resolve) => {
    const got: MessageSummary[] = []
    const onMail = (summary: MessageSummary) => {
      got.push(summary)
      if (got.length === count) {
        account.off('mail', onMail)
        resolve(got)
      }
    }
    account.on('mail', onMail)
  })
}

/** Resolves once `recipient`'s copy of sent mail `id` is in `state`. */
export function deliveryOf(
  account: Account,
  id: string,
  recipient: string,
  state = 'delivered',
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDelivery = (u: { id: string; recipient: string; state: string }) => {
      if (u.id === id && u.recipient === recipient && u.state === state) done()
    }
    const done = () => {
      account.off('delivery', onDelivery)
      resolve()
    }
    // Listen first, then look: a receipt landing in between is seen either way.
    account.on('delivery', onDelivery)
    account.status(id).then((status) => {
      if (status[recipient] === state) done()
    }, reject)
  })
}
