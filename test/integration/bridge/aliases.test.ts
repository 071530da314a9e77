import { describe, expect } from 'vitest'
import { DOMAIN, startBridge, until } from '../../helpers/bridge/bridge.js'
import { smtpClient } from '../../helpers/bridge/smtp.js'
import { nextMails, test } from '../../helpers/network.js'

async function codeOf(promise: Promise<unknown>): Promise<string | number | undefined> {
  try {
    await promise
  } catch (err) {
    const e = err as { code?: string; responseCode?: number }
    return e.responseCode ?? e.code
  }
  throw new Error('expected a refusal')
}

describe('bridge: aliases', () => {
  test('several aliases per account, kept across restarts, refused to others, removable', async ({
    network,
  }) => {
    let bridge = await startBridge(network)
    try {
      let alice = await network.open('alice')
      await alice.addAlias(`alice@${DOMAIN}`, bridge.address)
      await alice.addAlias(`Alice.Work@${DOMAIN.toUpperCase()}`, bridge.address)
      expect(await alice.listAliases()).toEqual([
        { alias: `alice.work@${DOMAIN}`, bridge: bridge.address },
        { alias: `alice@${DOMAIN}`, bridge: bridge.address },
      ])
      // Registering again is harmless.
      await alice.addAlias(`alice@${DOMAIN}`, bridge.address)

      const bob = await network.open('bob')
      expect(await codeOf(bob.addAlias(`alice@${DOMAIN}`, bridge.address))).toBe(
        'BRIDGE_ALIAS_REFUSED',
      )
      expect(await codeOf(bob.addAlias('bob@other.test', bridge.address))).toBe(
        'BRIDGE_ALIAS_REFUSED',
      )
      expect(await codeOf(bob.addAlias('bob with space@bridge.test', bridge.address))).toBe(
        'BRIDGE_INVALID_ALIAS',
      )
      expect(await codeOf(bob.addAlias(`bob@${DOMAIN}`, 'not-an-address'))).toBe(
        'NOT_A_PEER_ADDRESS',
      )
      expect(await codeOf(bob.removeAlias(`alice@${DOMAIN}`))).toBe('BRIDGE_INVALID_ALIAS')
      expect(await bob.listAliases()).toEqual([])

      // Both sides remember: after a restart of each, the work alias still delivers.
      await alice.close()
      await bridge.close()
      bridge = await startBridge(network)
      alice = await network.open('alice')
      expect((await alice.listAliases()).map((a) => a.alias)).toEqual([
        `alice.work@${DOMAIN}`,
        `alice@${DOMAIN}`,
      ])
      const arriving = nextMails(alice)
      const client = smtpClient(bridge.smtpPort)
      await client.sendMail({
        from: 'carol@sender.test',
        to: `alice.work@${DOMAIN}`,
        subject: 'to work',
        text: 'x',
      })
      expect((await arriving)[0]?.subject).toBe('to work')

      await alice.removeAlias(`alice.work@${DOMAIN}`)
      expect((await alice.listAliases()).map((a) => a.alias)).toEqual([`alice@${DOMAIN}`])
      expect(
        await codeOf(
          client.sendMail({ from: 'carol@sender.test', to: `alice.work@${DOMAIN}`, text: 'x' }),
        ),
      ).toBe(550)
      client.close()
      expect(bridge.aliases().map((a) => a.alias)).toEqual([`alice@${DOMAIN}`])
    } finally {
      await bridge.close()
    }
  })

  test('an account stays connected to its bridge, so mail it holds need not wait for a redial', async ({
    network,
  }) => {
    const bridge = await startBridge(network)
    try {
      let alice = await network.open('alice')
      await alice.addAlias(`alice@${DOMAIN}`, bridge.address)
      await alice.close()
      // Nothing is owed either way, so the bridge has no reason to dial: only the account's own dial,
      // made on opening, connects them.
      alice = await network.open('alice')
      const account = alice
      await until(async () => (await account.connectivity()).peers.includes(bridge.address))
    } finally {
      await bridge.close()
    }
  })

  test('an unreachable bridge is a coded error after the timeout, and nothing is kept', async ({
    network,
  }) => {
    const bridge = await startBridge(network)
    const address = bridge.address
    await bridge.close()
    const alice = await network.open('alice')
    expect(await codeOf(alice.addAlias(`alice@${DOMAIN}`, address, 1500))).toBe(
      'BRIDGE_UNREACHABLE',
    )
    expect(await alice.listAliases()).toEqual([])
  })
})
