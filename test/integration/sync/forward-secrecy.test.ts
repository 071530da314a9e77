import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import Corestore from 'corestore'
import { describe, expect } from 'vitest'
import {
  decodeAddress,
  deriveAccountKeys,
  deriveSubkey,
  envelopeKeyId,
  keyIdOf,
  openVaultFile,
  wipe,
} from '../../../src/crypto/index.js'
import { openBlock } from '../../../src/sync/pair-log.js'
import { PrekeyStore } from '../../../src/sync/prekeys.js'
import { deliveryOf, nextMails, test } from '../../helpers/network.js'

const DAY = 24 * 3600 * 1000
const policy = { rotateEveryMs: 7 * DAY, lifetimeMs: 14 * DAY, graceMs: 30 * DAY }

/** Everything an attacker who copied Bob's disk and learned his passphrase holds: seed and prekey file. */
async function stealSecrets(home: string, passphrase: string, prekeyFile = join(home, 'prekeys')) {
  const seed = await openVaultFile(join(home, 'vault'), passphrase)
  const keys = deriveAccountKeys(seed)
  wipe(seed)
  const prekeys = await PrekeyStore.open(prekeyFile, deriveSubkey(keys.storageKey, 'PMPREKEY'))
  return {
    keys,
    prekeys,
    keyring: {
      identityPublicKey: keys.identity.publicKey,
      findKey: (id: Buffer) =>
        id.equals(keys.encryption.keyId) ? keys.encryption : prekeys.find(id),
    },
  }
}

/** The first block of Alice's pair log to Bob, read from Alice's disk. */
async function firstBlockOfLog(aliceHome: string, bob: Buffer) {
  const store = new Corestore(join(aliceHome, 'pair-logs'))
  try {
    const core = store.get({ name: `pair-log/${bob.toString('hex')}` })
    await core.ready()
    const block = await core.get(0)
    if (!block) throw new Error('no block')
    return { block, logKey: core.key as Buffer }
  } finally {
    await store.close()
  }
}

// Five account opens and closes, each announcing on and leaving the DHT: under a loaded CI machine this
// test once ran past the default 60 s, so it gets a longer (still finite) limit.
describe('forward secrecy with rotating prekeys', { timeout: 180_000 }, () => {
  test('after rotation, a full copy of the recipient secrets opens none of the older mail', async ({
    network,
  }) => {
    let clock = Date.now()
    const now = () => clock
    const options = { now, prekeyPolicy: policy }
    let alice = await network.open('alice', options)
    let bob = await network.open('bob', options)
    const bobKey = decodeAddress(bob.address)
    const aliceKey = decodeAddress(alice.address)

    const arriving = nextMails(bob)
    const { id } = await alice.send({
      to: bob.address,
      subject: 'secret plans',
      text: 'burn after',
    })
    const [mail] = await arriving
    await deliveryOf(alice, id, bob.address)
    await alice.close()
    await bob.close()

    // The mail was sealed to a prekey, not to the long-term key derived from the seed.
    const bobHome = join(network.dir, 'bob')
    const aliceHome = join(network.dir, 'alice')
    const { block, logKey } = await firstBlockOfLog(aliceHome, bobKey)
    const before = await stealSecrets(bobHome, 'pass-bob')
    expect(envelopeKeyId(block).equals(keyIdOf(before.keys.encryption.publicKey))).toBe(false)
    // Control: the secrets as they were before rotation do open it (so the check below can fail).
    await copyFile(join(bobHome, 'prekeys'), join(network.dir, 'prekeys-before'))
    expect(() => openBlock(block, { logKey, seq: 0 }, aliceKey, before.keyring)).not.toThrow()
    before.prekeys.close()

    // Seven weeks later: the prekey expired, its grace period passed; Bob's node rotates on start.
    clock += 7 * 7 * DAY
    bob = await network.open('bob', options)
    await bob.close()

    const after = await stealSecrets(bobHome, 'pass-bob')
    expect(() => openBlock(block, { logKey, seq: 0 }, aliceKey, after.keyring)).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_OPEN_FAILED' }) as Error,
    )
    after.prekeys.close()
    const stale = await stealSecrets(bobHome, 'pass-bob', join(network.dir, 'prekeys-before'))
    expect(() => openBlock(block, { logKey, seq: 0 }, aliceKey, stale.keyring)).not.toThrow()
    stale.prekeys.close()

    // Bob still reads his mail: it was re-stored in his own encrypted mailbox when it arrived.
    bob = await network.open('bob', options)
    expect((await bob.mailbox.read(mail?.id ?? '')).text?.trim()).toBe('burn after')

    // And new mail goes to the new prekey.
    alice = await network.open('alice', options)
    const again = nextMails(bob)
    await alice.send({ to: bob.address, subject: 'new plans', text: 'later' })
    await again
  })
})
