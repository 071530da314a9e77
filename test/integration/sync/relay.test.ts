import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { openRelay, type Relay } from '../../../src/index.js'
import { deliveryOf, nextMails, test, type TestNetwork } from '../../helpers/network.js'

const relayOptions = { relayAfterMs: 200 }

async function startRelay(
  network: { net: { bootstrap: { host: string; port: number }[] }; dir: string },
  name: string,
  options: { quotaBytes?: number } = {},
): Promise<Relay> {
  return openRelay({ home: join(network.dir, name), bootstrap: network.net.bootstrap, ...options })
}

/** Opens `name` with `relays` and resolves once every one of them confirmed the registration. */
async function openRegistered(network: TestNetwork, name: string, relays: Relay[]) {
  const account = await network.open(name, {
    relays: relays.map((r) => r.address),
    ...relayOptions,
  })
  const pending = new Set(relays.map((r) => r.address))
  await new Promise<void>((resolve) => {
    account.on('relay', ({ relay }) => {
      pending.delete(relay)
      if (pending.size === 0) resolve()
    })
  })
  return account
}

/** Every byte of every file under `dir`. */
async function bytesUnder(dir: string): Promise<Buffer> {
  const out: Buffer[] = []
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry)
    if ((await stat(path)).isFile()) out.push(await readFile(path))
  }
  return Buffer.concat(out)
}

describe('relays', () => {
  test('sender and recipient never online together: the mail waits on the relay', async ({
    network,
  }) => {
    const relay = await startRelay(network, 'relay')
    try {
      // Bob registers with his relay and goes offline; Alice has never met him.
      let bob = await openRegistered(network, 'bob', [relay])
      const bobAddress = bob.address
      await bob.close()

      const alice = await network.open('alice', relayOptions)
      const { id } = await alice.send({
        to: bobAddress,
        subject: 'while you were away',
        text: 'held by your relay',
        attachments: [{ filename: 'notes.txt', content: Buffer.from('attached') }],
      })
      await deliveryOf(alice, id, bobAddress, 'relayed')
      await alice.close()

      bob = await network.open('bob', { relays: [relay.address], ...relayOptions })
      const [mail] = await nextMails(bob)
      expect(mail?.subject).toBe('while you were away')
      const read = await bob.mailbox.read(mail?.id ?? '')
      expect(read.attachments[0]?.content.toString()).toBe('attached')

      // Alice comes back and learns from the relay that Bob stored it.
      const again = await network.open('alice', relayOptions)
      await deliveryOf(again, id, bobAddress, 'delivered')
    } finally {
      await relay.close()
    }
  })

  test('no plaintext reaches the relay disk', async ({ network }) => {
    const relay = await startRelay(network, 'relay')
    try {
      const bob = await openRegistered(network, 'bob', [relay])
      const bobAddress = bob.address
      await bob.close()
      const alice = await network.open('alice', relayOptions)
      const canary = 'CANARY-7f3a9c-relay'
      const { id } = await alice.send({
        to: bobAddress,
        subject: `subject ${canary}`,
        text: `body ${canary}`,
        attachments: [{ filename: `${canary}.txt`, content: Buffer.from(`file ${canary}`) }],
      })
      await deliveryOf(alice, id, bobAddress, 'relayed')
      await relay.close()
      const disk = await bytesUnder(join(network.dir, 'relay'))
      expect(disk.length).toBeGreaterThan(10_000)
      expect(disk.includes(Buffer.from(canary))).toBe(false)
      expect(disk.includes(Buffer.from(Buffer.from(canary).toString('base64')))).toBe(false)
    } finally {
      await relay.close()
    }
  })

  test('two relays, one down: the other one delivers', async ({ network }) => {
    const up = await startRelay(network, 'relay-up')
    const down = await startRelay(network, 'relay-down')
    try {
      const relays = [down.address, up.address]
      let bob = await openRegistered(network, 'bob', [down, up])
      const bobAddress = bob.address
      await bob.close()
      await down.close()

      const alice = await network.open('alice', relayOptions)
      const { id } = await alice.send({ to: bobAddress, subject: 'one relay down', text: 'x' })
      await deliveryOf(alice, id, bobAddress, 'relayed')
      await alice.close()

      bob = await network.open('bob', { relays, ...relayOptions })
      const [mail] = await nextMails(bob)
      expect(mail?.subject).toBe('one relay down')
    } finally {
      await up.close()
      await down.close()
    }
  })

  test('a full relay refuses the log; a relay with room takes it', async ({ network }) => {
    const full = await startRelay(network, 'relay-full', { quotaBytes: 1000 })
    const roomy = await startRelay(network, 'relay-roomy')
    try {
      let bob = await openRegistered(network, 'bob', [full, roomy])
      const bobAddress = bob.address
      await bob.close()
      let refused: (detail: unknown) => void = () => {}
      const refusal = new Promise((resolve) => (refused = resolve))
      const alice = await network.open('alice', {
        ...relayOptions,
        log: (event, detail) => {
          if (event === 'relay-refused') refused(detail)
        },
      })
      const { id } = await alice.send({
        to: bobAddress,
        subject: 'too big for one quota',
        text: 'y'.repeat(5000),
      })
      await deliveryOf(alice, id, bobAddress, 'relayed')
      expect(await refusal).toEqual({ relay: full.publicKey.toString('hex'), code: 2 }) // FULL
      await alice.close()

      bob = await network.open('bob', { relays: [full.address, roomy.address], ...relayOptions })
      const [mail] = await nextMails(bob)
      expect(mail?.subject).toBe('too big for one quota')
    } finally {
      await full.close()
      await roomy.close()
    }
  })

  test('a relay restarted mid-way still delivers what it held', async ({ network }) => {
    let relay = await startRelay(network, 'relay')
    try {
      let bob = await openRegistered(network, 'bob', [relay])
      const bobAddress = bob.address
      await bob.close()
      const alice = await network.open('alice', relayOptions)
      const { id } = await alice.send({ to: bobAddress, subject: 'survives a restart', text: 'z' })
      await deliveryOf(alice, id, bobAddress, 'relayed')
      await alice.close()
      await relay.close()
      relay = await startRelay(network, 'relay')

      bob = await network.open('bob', { relays: [relay.address], ...relayOptions })
      const [mail] = await nextMails(bob)
      expect(mail?.subject).toBe('survives a restart')
    } finally {
      await relay.close()
    }
  })
})
