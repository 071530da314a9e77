/**
 * The engine's two sending modes the bridge runs on: a send sealed now or not at all (`sealNowOnly`: the
 * bridge keeps no copy to seal later), and an engine that keeps no receipt entries (SyncOptions
 * `trackReceipts` false: nothing is written per mail sealed, and what the peer still owes an ack for comes
 * from the log's length, including after a restart).
 */
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { createAccount, openNode, type PeermailNode } from '../../../src/client/node.js'
import { composeMessage } from '../../../src/mailbox/index.js'
import { newMessageId } from '../../../src/mailbox/ids.js'
import { peerIdentityOf, peerMailAddress } from '../../../src/sync/index.js'
import { FAST_BACKOFFS, FAST_VAULT, nextMails, test } from '../../helpers/network.js'

function mailTo(node: PeermailNode, to: Buffer, subject: string): Promise<Buffer> {
  return composeMessage({
    from: { name: '', address: peerMailAddress(node.identityPublicKey) },
    to: [{ name: '', address: peerMailAddress(to) }],
    subject,
    text: `${subject}\n`,
  })
}

// One send the way the bridge makes it (sealed now or not at all): which mails were not sealed, and the
// state changes the engine asked to store with it (stored, as the bridge does).
async function sendNow(
  node: PeermailNode,
  raw: Buffer,
  to: Buffer,
): Promise<{ unsealed: number[]; written: unknown[] }> {
  const written: unknown[] = []
  const unsealed = await node.sync!.send(
    [{ raw, peers: [to] }],
    async (changesFor) => {
      const state = changesFor(0, newMessageId())
      written.push(...state)
      if (state.length > 0) await node.mailbox.commit({ state })
    },
    { sealNowOnly: true },
  )
  return { unsealed, written }
}

// Sends one mail as the bridge does, retrying while the recipient's keys are unknown; resolves with the
// state changes stored with it once it is sealed.
async function sendMail(node: PeermailNode, to: Buffer, subject: string): Promise<unknown[]> {
  const raw = await mailTo(node, to, subject)
  for (;;) {
    const { unsealed, written } = await sendNow(node, raw, to)
    if (unsealed.length === 0) return written
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('a send that is sealed now or not at all (sealNowOnly)', () => {
  test('to a peer whose keys the sender lacks, it is reported unsealed and nothing is kept', async ({
    network,
  }) => {
    const bob = await network.open('bob')
    const bobKey = peerIdentityOf(bob.address)!
    await bob.close()
    const home = join(network.dir, 'sender')
    await createAccount({ home, passphrase: 'sender', vaultParams: FAST_VAULT })
    const node = await openNode({
      home,
      passphrase: 'sender',
      network: { bootstrap: network.net.bootstrap, backoffs: FAST_BACKOFFS },
    })
    try {
      await node.sync!.ready()
      const { unsealed, written } = await sendNow(
        node,
        await mailTo(node, bobKey, 'now or never'),
        bobKey,
      )
      expect(unsealed).toEqual([0])
      // No queue entry (there is no copy to seal later), no receipt entry, and no log was started.
      expect(written).toEqual([])
      expect(await node.mailbox.state.list('out/')).toEqual([])
    } finally {
      await node.close()
    }
  })
})

describe('a sender without receipt entries', () => {
  test('writes nothing per sealed mail and delivers what was not acknowledged after its restart', async ({
    network,
  }) => {
    const home = join(network.dir, 'carrier')
    await createAccount({ home, passphrase: 'carrier', vaultParams: FAST_VAULT })
    const openCarrier = async () => {
      const node = await openNode({
        home,
        passphrase: 'carrier',
        network: {
          bootstrap: network.net.bootstrap,
          backoffs: FAST_BACKOFFS,
          redialEveryMs: 2000,
          trackReceipts: false,
        },
      })
      await node.sync!.ready()
      return node
    }
    let bob = await network.open('bob')
    const bobKey = peerIdentityOf(bob.address)!
    let carrier = await openCarrier()
    try {
      // The first mail is refused until the carrier has met bob (his profile, from the connection).
      const first = nextMails(bob)
      await sendMail(carrier, bobKey, 'hello')
      expect((await first)[0]?.subject).toBe('hello')
      await bob.close()

      // Bob is away and the carrier knows his keys: each mail is sealed at once, and no state is written.
      for (const subject of ['away 1', 'away 2', 'away 3'])
        expect(await sendMail(carrier, bobKey, subject)).toEqual([])
      expect(await carrier.mailbox.state.list('out/sent/')).toEqual([])
      expect(await carrier.mailbox.state.list('out/q/')).toEqual([])

      // Only the carrier knows there is mail: after its restart it must find that out from the log.
      await carrier.close()
      carrier = await openCarrier()
      bob = await network.open('bob')
      const arrived = await nextMails(bob, 3)
      expect(arrived.map((m) => m.subject).sort()).toEqual(['away 1', 'away 2', 'away 3'])
    } finally {
      await carrier.close()
    }
  })
})
