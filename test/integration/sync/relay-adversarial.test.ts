import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { makeAccount } from '../../helpers/accounts.js'
import { deliveryOf, type TestNetwork } from '../../helpers/network.js'
import { identityOf } from '../../helpers/rogue-peer.js'
import {
  answerRegister,
  mailFrom,
  sealFrom,
  test,
  within,
  type RelayWire,
  type RogueNode,
} from '../../helpers/rogue-relay.js'
import type Hypercore from 'hypercore'
import {
  deriveAccountKeys,
  phraseToSeed,
  randomBytes,
  type SigningKeyPair,
} from '../../../src/crypto/index.js'
import { openRelay, type Account, type OpenRelayOptions, type Relay } from '../../../src/index.js'
import { createCorestore } from '../../../src/mailbox/index.js'
import type { Profile } from '../../../src/sync/profile.js'
import {
  RelayRefusal,
  relayCodecs,
  signRegister,
  type RelayedOffer,
} from '../../../src/sync/relay-wire.js'
import {
  decodeAck,
  encodeAck,
  RejectCode,
  signOffer,
  verifyAck,
  verifyOffer,
} from '../../../src/sync/wire.js'

const relayOptions = { relayAfterMs: 200 }
/** How long anything that must happen on the loopback testnet may take. */
const SOON = 20_000

type LogEvent = { event: string; detail: Record<string, unknown> }

function startRelay(
  network: TestNetwork,
  name: string,
  options: Omit<OpenRelayOptions, 'home' | 'bootstrap'> = {},
): Promise<Relay> {
  return openRelay({ home: join(network.dir, name), bootstrap: network.net.bootstrap, ...options })
}

/** Opens `name` with `relays` (pm1… addresses) and resolves once every one confirmed the registration. */
async function openRegistered(
  network: TestNetwork,
  name: string,
  relays: string[],
): Promise<Account> {
  const account = await network.open(name, { relays, ...relayOptions })
  const pending = new Set(relays)
  await within(
    SOON,
    `${name} registering with its relays`,
    new Promise<void>((resolve) => {
      account.on('relay', ({ relay }) => {
        pending.delete(relay)
        if (pending.size === 0) resolve()
      })
    }),
  )
  return account
}

function recordInto(events: LogEvent[]) {
  return (event: string, detail: Record<string, unknown>) => {
    events.push({ event, detail })
  }
}

/** Subjects of every mail `account` holds in its inbox and Requests, sorted (a duplicate shows twice). */
async function subjectsOf(account: Account): Promise<string[]> {
  const inbox = await account.mailbox.list({ folder: 'inbox' })
  const requests = await account.mailbox.list({ folder: 'requests' })
  return [...inbox, ...requests].map((m) => m.subject).sort()
}

/** Resolves once `account` holds a mail with each of `subjects` (stored already, or arriving). */
function holding(account: Account, subjects: string[]): Promise<void> {
  return within(
    SOON,
    `${subjects.join(', ')} arriving`,
    new Promise<void>((resolve, reject) => {
      const check = () => {
        subjectsOf(account).then((have) => {
          if (!subjects.every((s) => have.includes(s))) return
          account.off('mail', check)
          resolve()
        }, reject)
      }
      account.on('mail', check)
      check()
    }),
  )
}

function flipLastByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes)
  copy[copy.byteLength - 1] = (copy[copy.byteLength - 1] ?? 0) ^ 0x01
  return copy
}

/** A connection `node` already has with `peer`. */
function wireWith(node: RogueNode, peer: Buffer): RelayWire {
  const wire = node.wires.find((w) => w.remoteKey.equals(peer) && !w.isClosed)
  if (!wire) throw new Error('no open connection with that peer')
  return wire
}

/** A relay's own view of a log: how long it knows it to be, and which blocks it has on disk. */
async function relayDisk(
  home: string,
  logKey: Buffer,
): Promise<{ length: number; has: boolean[] }> {
  const store = createCorestore(join(home, 'cores'))
  try {
    const core = store.get({ key: logKey })
    await core.ready()
    const has: boolean[] = []
    for (let i = 0; i < core.length; i++) has.push(await core.has(i))
    const length = core.length
    await core.close()
    return { length, has }
  } finally {
    await store.close()
  }
}

/** Bob's profile as a sender finds it, once it is on the DHT. */
function bobsProfile(node: RogueNode, bob: Account): Promise<Profile> {
  return node.profileOf(identityOf(bob))
}

describe('a lying relay', () => {
  const lies: {
    name: string
    sign: (o: { logKey: Buffer; mallory: SigningKeyPair; bob: Buffer; relay: RogueNode }) => Buffer
  }[] = [
    {
      name: 'whose signature is forged',
      sign: ({ logKey, mallory, bob }) => flipLastByte(signOffer(logKey, mallory, bob)),
    },
    {
      name: 'naming a sender who did not sign it',
      sign: ({ logKey, bob, relay }) => signOffer(logKey, relay.identity, bob),
    },
    {
      name: 'signed for another recipient',
      sign: ({ logKey, mallory }) => signOffer(logKey, mallory, makeAccount().identity.publicKey),
    },
  ]

  test.for(lies)(
    'an offer $name is refused: nothing stored, the relay dropped and penalised, the honest relay delivers',
    async ({ sign }, { network, rogueNodes }) => {
      const honest = await startRelay(network, 'honest')
      try {
        const rogue = await rogueNodes.create()
        await rogue.listen()
        let lie: Buffer | null = null
        rogue.onFrame = (wire, type, frame) => {
          if (type !== 'register') return
          answerRegister(rogue, wire, frame)
          if (lie) wire.send('offer', lie)
        }
        const relays = [rogue.address, honest.address]
        let bob = await openRegistered(network, 'bob', relays)
        const bobKey = identityOf(bob)
        const bobAddress = bob.address
        const profile = await bobsProfile(rogue, bob)
        await bob.close()

        // Alice's mail waits on the honest relay.
        const alice = await network.open('alice', relayOptions)
        const { id } = await alice.send({ to: bobAddress, subject: 'from alice', text: 'hi' })
        await within(SOON, 'Alice’s mail held', deliveryOf(alice, id, bobAddress, 'relayed'))
        await alice.close()

        // The rogue's log carries a mail Bob would take (Mallory's own From, a good stamp) if he
        // believed the offer: who it is from and whom it is for.
        const mallory = makeAccount().identity
        const log = await rogue.createLog()
        const logKey = log.key as Buffer
        await log.append(
          sealFrom(mallory, mailFrom(mallory, profile, 'smuggled'), { logKey, seq: 0 }, profile),
        )
        let uploads = 0
        log.on('upload', () => uploads++)
        lie = relayCodecs.offer.encode({
          sender: mallory.publicKey,
          logKey,
          signature: sign({ logKey, mallory, bob: bobKey, relay: rogue }),
        })

        const events: LogEvent[] = []
        const first = rogue.nextWire(bobKey)
        bob = await network.open('bob', { relays, ...relayOptions, log: recordInto(events) })
        const wire = await within(SOON, 'Bob dialling the rogue', first)
        const again = rogue.nextWire(bobKey)
        await within(SOON, 'Bob dropping the rogue', wire.closed)
        expect(wire.received.map((r) => r.type)).toEqual(['register'])
        expect(events).toContainEqual({
          event: 'relay-dropped',
          detail: {
            relay: rogue.publicKey.toString('hex'),
            reason: 'The relayed offer is not signed by its owner',
          },
        })
        // Bob keeps dialling his relay, but cuts every connection before registering: penalised.
        const redial = await within(SOON, 'Bob redialling the rogue', again)
        expect(await within(SOON, 'the redial ending', redial.firstFrameOrClose())).toBe('closed')

        await holding(bob, ['from alice'])
        expect(await subjectsOf(bob)).toEqual(['from alice'])
        expect(uploads).toBe(0)
      } finally {
        await honest.close()
      }
    },
  )

  test('control: the same relay forwarding an offer its sender signed gets the mail stored and an ack back', async ({
    network,
    rogueNodes,
  }) => {
    const rogue = await rogueNodes.create()
    await rogue.listen()
    rogue.onFrame = (wire, type, frame) => {
      if (type === 'register') answerRegister(rogue, wire, frame)
    }
    const bob = await openRegistered(network, 'bob', [rogue.address])
    const bobKey = identityOf(bob)
    const profile = await bobsProfile(rogue, bob)
    const mallory = makeAccount().identity
    const log = await rogue.createLog()
    const logKey = log.key as Buffer
    await log.append(
      sealFrom(mallory, mailFrom(mallory, profile, 'smuggled'), { logKey, seq: 0 }, profile),
    )
    let uploads = 0
    log.on('upload', () => uploads++)

    const wire = wireWith(rogue, bobKey)
    wire.send(
      'offer',
      relayCodecs.offer.encode({
        sender: mallory.publicKey,
        logKey,
        signature: signOffer(logKey, mallory, bobKey),
      }),
    )
    const ack = decodeAck(
      await within(
        SOON,
        'Bob’s ack through the relay',
        wire.frame('ack', (f) => decodeAck(f).logKey.equals(logKey) && decodeAck(f).length >= 1),
      ),
    )
    expect(verifyAck(ack, bobKey)).toBe(true)
    expect(ack.rejected).toEqual([])
    expect(await subjectsOf(bob)).toEqual(['smuggled'])
    expect(uploads).toBeGreaterThan(0)
    expect(wire.isClosed).toBe(false)

    // What an unpenalised relay sees when its connection drops: Bob redials and registers at once.
    const again = rogue.nextWire(bobKey)
    wire.destroy()
    const redial = await within(SOON, 'Bob redialling the relay', again)
    expect(await within(SOON, 'a first frame', redial.firstFrameOrClose())).toBe('register')
  })
})

/**
 * Makes `rogue` a relay that holds only the first `keep` blocks of the first log deposited with it at
 * `length` or more (it opens the sender's core by key and downloads that range; Hypercore lets it keep
 * a part, never forge one), and offers that log, with the sender's genuine signed offer, to whoever
 * registers.
 */
function truncatingRelay(rogue: RogueNode, keep: number, length: number) {
  const offers: RelayedOffer[] = []
  let settle: { resolve: (core: Hypercore) => void; reject: (err: unknown) => void } | undefined
  const held = new Promise<Hypercore>((resolve, reject) => (settle = { resolve, reject }))
  rogue.onFrame = (wire, type, frame) => {
    if (type === 'register') {
      answerRegister(rogue, wire, frame)
      for (const offer of offers) wire.send('offer', relayCodecs.offer.encode(offer))
    } else if (type === 'deposit') {
      const deposit = relayCodecs.deposit.decode(frame)
      if (deposit.length < length || offers.length > 0) return
      offers.push({ sender: wire.remoteKey, logKey: deposit.logKey, signature: deposit.signature })
      void (async () => {
        const core = rogue.store.get({ key: deposit.logKey })
        await core.ready()
        await core.download({ start: 0, end: keep }).done()
        wire.send('held', relayCodecs.held.encode({ logKey: deposit.logKey, length: keep }))
        return core
      })().then(settle?.resolve, settle?.reject)
    }
  }
  return { held }
}

/** Resolves once `core` has served block `index` to a peer. */
function served(core: Hypercore, index: number): Promise<void> {
  return new Promise((resolve) => {
    const onUpload = (at: number) => {
      if (at !== index) return
      core.off('upload', onUpload)
      resolve()
    }
    core.on('upload', onUpload)
  })
}

describe('a relay holding only part of a log', () => {
  const SUBJECTS = ['one', 'two', 'three']

  /** Alice (offline Bob never met) sends three one-block mails; returns their ids. */
  async function sendThree(alice: Account, to: string): Promise<string[]> {
    const ids: string[] = []
    for (const subject of SUBJECTS) ids.push((await alice.send({ to, subject, text: subject })).id)
    return ids
  }

  /** The truncated copy the rogue holds: the log's full length known, only block 0 on disk. */
  async function expectTruncated(core: Hypercore): Promise<void> {
    expect(core.length).toBe(3)
    expect([await core.has(0), await core.has(1), await core.has(2)]).toEqual([true, false, false])
  }

  test('the recipient gets the rest from the sender; nothing is duplicated', async ({
    network,
    rogueNodes,
  }) => {
    const rogue = await rogueNodes.create()
    await rogue.listen()
    const { held } = truncatingRelay(rogue, 1, 3)
    let bob = await openRegistered(network, 'bob', [rogue.address])
    const bobAddress = bob.address
    await bob.close()

    let alice = await network.open('alice', relayOptions)
    const ids = await sendThree(alice, bobAddress)
    const core = await within(SOON, 'the rogue holding a prefix', held)
    await expectTruncated(core)
    await alice.close()

    // Bob comes back: the rogue offers Alice's log (with her genuine offer) and serves what it has.
    const firstServed = served(core, 0)
    bob = await network.open('bob', { relays: [rogue.address], ...relayOptions })
    await within(SOON, 'Bob reading the rogue’s block', firstServed)

    // Alice comes back too: Bob gets the rest from her.
    alice = await network.open('alice', relayOptions)
    await holding(bob, SUBJECTS)
    for (const id of ids) await within(SOON, 'delivered', deliveryOf(alice, id, bobAddress))
    expect(await subjectsOf(bob)).toEqual([...SUBJECTS].sort())
  })

  // The rogue serves block 0 (the whole first mail) and nothing else. Bob has every byte of mail "one",
  // so it should be stored and acknowledged (through the relay) while he waits for the rest.
  test('the mail a truncated relay does hold is stored and acknowledged without waiting for the rest', async ({
    network,
    rogueNodes,
  }) => {
    const rogue = await rogueNodes.create()
    await rogue.listen()
    const { held } = truncatingRelay(rogue, 1, 3)
    let bob = await openRegistered(network, 'bob', [rogue.address])
    const bobAddress = bob.address
    await bob.close()

    const alice = await network.open('alice', relayOptions)
    await sendThree(alice, bobAddress)
    const core = await within(SOON, 'the rogue holding a prefix', held)
    await expectTruncated(core)
    await alice.close()

    const firstServed = served(core, 0)
    bob = await network.open('bob', { relays: [rogue.address], ...relayOptions })
    const bobKey = identityOf(bob)
    await within(SOON, 'Bob reading the rogue’s block', firstServed)
    const wire = wireWith(rogue, bobKey)
    const logKey = core.key as Buffer
    const ack = decodeAck(
      await within(
        SOON,
        'Bob acknowledging the first mail through the relay',
        wire.frame('ack', (f) => decodeAck(f).logKey.equals(logKey) && decodeAck(f).length >= 1),
      ),
    )
    expect(verifyAck(ack, bobKey)).toBe(true)
    expect(ack).toMatchObject({ length: 1, rejected: [] })
    expect(await subjectsOf(bob)).toEqual(['one'])
  })

  test('the recipient gets the rest from a second, honest relay; nothing is duplicated', async ({
    network,
    rogueNodes,
  }) => {
    let honest = await startRelay(network, 'honest')
    try {
      const rogue = await rogueNodes.create()
      await rogue.listen()
      const { held } = truncatingRelay(rogue, 1, 3)
      const relays = [rogue.address, honest.address]
      let bob = await openRegistered(network, 'bob', relays)
      const bobAddress = bob.address
      await bob.close()

      let alice = await network.open('alice', relayOptions)
      const ids = await sendThree(alice, bobAddress)
      const core = await within(SOON, 'the rogue holding a prefix', held)
      await expectTruncated(core)
      for (const id of ids)
        await within(SOON, 'held by the honest relay', deliveryOf(alice, id, bobAddress, 'relayed'))
      await alice.close()

      // The honest relay is down while Bob reads the rogue's part, so Bob depends on both.
      await honest.close()
      const firstServed = served(core, 0)
      bob = await network.open('bob', { relays, ...relayOptions })
      await within(SOON, 'Bob reading the rogue’s block', firstServed)
      honest = await startRelay(network, 'honest')
      await holding(bob, SUBJECTS)
      expect(await subjectsOf(bob)).toEqual([...SUBJECTS].sort())

      alice = await network.open('alice', relayOptions)
      for (const id of ids) await within(SOON, 'delivered', deliveryOf(alice, id, bobAddress))
      expect(await subjectsOf(bob)).toEqual([...SUBJECTS].sort())
    } finally {
      await honest.close()
    }
  })
})

describe('a forged ack carried by a relay', () => {
  const forgeries: {
    name: string
    ack: (logKey: Buffer, length: number, relay: RogueNode) => Buffer
  }[] = [
    {
      name: 'signed by the relay',
      ack: (logKey, length, relay) => encodeAck({ logKey, length, rejected: [] }, relay.identity),
    },
    {
      name: 'refusing the mail, signed by a stranger',
      ack: (logKey, length) =>
        encodeAck(
          {
            logKey,
            length,
            rejected: [{ seq: length - 1, code: RejectCode.REFUSED, difficulty: 0 }],
          },
          makeAccount().identity,
        ),
    },
    {
      name: 'with a flipped signature bit',
      ack: (logKey, length, relay) =>
        flipLastByte(encodeAck({ logKey, length, rejected: [] }, relay.identity)),
    },
  ]

  /**
   * Bob registers with a hand-driven relay and goes offline; Alice sends him a mail and deposits her log
   * with the relay, which claims to hold it (a relay's word only ever makes a mail `relayed`).
   */
  async function relayedToBob(network: TestNetwork, rogueNodes: { create(): Promise<RogueNode> }) {
    const rogue = await rogueNodes.create()
    await rogue.listen()
    rogue.onFrame = (wire, type, frame) => {
      if (type === 'register') answerRegister(rogue, wire, frame)
      if (type !== 'deposit') return
      wire.send('held', relayCodecs.held.encode(relayCodecs.deposit.decode(frame)))
    }
    const bob = await openRegistered(network, 'bob', [rogue.address])
    const bobAddress = bob.address
    const bobKey = identityOf(bob)
    const bobPhrase = bob.recoveryPhrase
    if (!bobPhrase) throw new Error('Bob was created by this open')
    await bob.close()

    const events: LogEvent[] = []
    const alice = await network.open('alice', { ...relayOptions, log: recordInto(events) })
    const aliceKey = identityOf(alice)
    const states: string[] = []
    alice.on('delivery', (u) => states.push(u.state))
    const { id } = await alice.send({ to: bobAddress, subject: 'for bob', text: 'hi' })
    await within(SOON, 'relayed', deliveryOf(alice, id, bobAddress, 'relayed'))
    const wire = wireWith(rogue, aliceKey)
    const deposit = relayCodecs.deposit.decode(await wire.frame('deposit'))
    expect(verifyOffer({ ...deposit, ackedUpTo: 0 }, aliceKey, bobKey)).toBe(true)
    return { rogue, alice, aliceKey, bobAddress, bobPhrase, events, states, id, wire, deposit }
  }

  test.for(forgeries)(
    'an ack $name settles nothing: the relay is dropped and penalised; Bob’s own ack delivers',
    async ({ ack }, { network, rogueNodes }) => {
      const scene = await relayedToBob(network, rogueNodes)
      const { rogue, alice, bobAddress, id, wire, deposit } = scene

      const again = rogue.nextWire(scene.aliceKey)
      wire.send('ack', ack(deposit.logKey, deposit.length, rogue))
      await within(SOON, 'Alice dropping the rogue', wire.closed)
      expect(scene.events).toContainEqual({
        event: 'relay-dropped',
        detail: {
          relay: rogue.publicKey.toString('hex'),
          reason: 'The relayed ack is not signed by its owner',
        },
      })
      expect(await alice.status(id)).toEqual({ [bobAddress]: 'relayed' })
      // Alice still owes the deposit and redials, but cuts the connection before depositing again.
      const redial = await within(SOON, 'Alice redialling the rogue', again)
      expect(await within(SOON, 'the redial ending', redial.firstFrameOrClose())).toBe('closed')
      expect(await alice.status(id)).toEqual({ [bobAddress]: 'relayed' })

      // Bob comes back; Alice reaches him directly and his own signed ack settles the mail.
      const bob = await network.open('bob', { relays: [rogue.address], ...relayOptions })
      await within(SOON, 'delivered', deliveryOf(alice, id, bobAddress))
      expect(await subjectsOf(bob)).toEqual(['for bob'])
      // Never delivered (nor failed) on the relay's word: the one settling state is Bob's.
      expect(scene.states.filter((state) => state !== 'relayed')).toEqual(['delivered'])
    },
  )

  test('control: an ack Bob signed, carried by the same relay, makes the mail delivered', async ({
    network,
    rogueNodes,
  }) => {
    const scene = await relayedToBob(network, rogueNodes)
    const { rogue, alice, bobAddress, id, deposit } = scene

    // What an unpenalised relay sees when its connection drops: Alice redials and deposits at once.
    const again = rogue.nextWire(scene.aliceKey)
    scene.wire.destroy()
    const wire = await within(SOON, 'Alice redialling the relay', again)
    expect(await within(SOON, 'a first frame', wire.firstFrameOrClose())).toBe('deposit')

    const bob = deriveAccountKeys(phraseToSeed(scene.bobPhrase)).identity
    wire.send(
      'ack',
      encodeAck({ logKey: deposit.logKey, length: deposit.length, rejected: [] }, bob),
    )
    await within(SOON, 'delivered', deliveryOf(alice, id, bobAddress))
    expect(scene.states.filter((state) => state !== 'relayed')).toEqual(['delivered'])
    expect(scene.events.filter((e) => e.event === 'relay-dropped')).toEqual([])
    expect(wire.isClosed).toBe(false)
  })
})

describe('a relay’s own checks on deposits', () => {
  /** A hand-driven account registered with `relay`, and its connection to it. */
  async function registeredAccount(
    rogueNodes: { create(): Promise<RogueNode> },
    relay: Relay,
  ): Promise<{ node: RogueNode; wire: RelayWire }> {
    const node = await rogueNodes.create()
    const wire = node.dial(relay.publicKey)
    wire.send('register', registerFrame(node, relay))
    await within(SOON, 'registered', wire.frame('registered'))
    return { node, wire }
  }

  /** A log of `blocks` opaque blocks in `node`'s store (a relay is blind: it never opens one). */
  async function opaqueLog(node: RogueNode, blocks: number): Promise<Hypercore> {
    const log = await node.createLog()
    await log.append(Array.from({ length: blocks }, () => randomBytes(2000)))
    return log
  }

  function depositFrame(
    log: Hypercore,
    recipient: Buffer,
    signature: Buffer = signOffer(log.key as Buffer, makeAccount().identity, recipient),
  ): Buffer {
    return relayCodecs.deposit.encode({
      recipient,
      logKey: log.key as Buffer,
      from: 0,
      length: log.length,
      signature,
    })
  }

  test('a deposit for an account that is not registered is refused NOT_REGISTERED; nothing is held', async ({
    network,
    rogueNodes,
  }) => {
    const home = join(network.dir, 'relay')
    const relay = await startRelay(network, 'relay')
    let toCarol: Buffer | undefined
    let toBob: Buffer | undefined
    try {
      const bob = await registeredAccount(rogueNodes, relay)
      const carol = makeAccount().identity.publicKey // never registered
      const sender = await rogueNodes.create()
      const carolLog = await opaqueLog(sender, 2)
      const bobLog = await opaqueLog(sender, 2)
      toCarol = carolLog.key as Buffer
      toBob = bobLog.key as Buffer
      const wire = sender.dial(relay.publicKey)
      const sign = (logKey: Buffer, to: Buffer) => signOffer(logKey, sender.identity, to)

      wire.send('deposit', depositFrame(carolLog, carol, sign(toCarol, carol)))
      const refused = relayCodecs.refused.decode(
        await within(SOON, 'a refusal', wire.frame('refused')),
      )
      expect(refused).toEqual({ code: RelayRefusal.NOT_REGISTERED, logKey: toCarol })
      expect(refused.code).toBe(1)

      // Control, on the same connection (a refusal is no misbehaviour): the same kind of deposit for a
      // registered account is held, and offered to it.
      wire.send(
        'deposit',
        depositFrame(bobLog, bob.node.publicKey, sign(toBob, bob.node.publicKey)),
      )
      const held = relayCodecs.held.decode(await within(SOON, 'held', wire.frame('held')))
      expect(held).toEqual({ logKey: toBob, length: 2 })
      const offer = relayCodecs.offer.decode(await within(SOON, 'offer', bob.wire.frame('offer')))
      expect(offer.logKey).toEqual(toBob)
      expect(wire.received.map((r) => r.type)).toEqual(['refused', 'held'])
      expect(bob.wire.received.filter((r) => r.type === 'offer')).toHaveLength(1)
      expect(wire.isClosed).toBe(false)
    } finally {
      await relay.close()
    }
    expect(await relayDisk(home, toCarol)).toEqual({ length: 0, has: [] })
    expect(await relayDisk(home, toBob)).toEqual({ length: 2, has: [true, true] })
  })

  const forgeries: {
    name: string
    sign: (logKey: Buffer, sender: SigningKeyPair, recipient: Buffer) => Buffer
  }[] = [
    {
      name: 'with a flipped signature bit',
      sign: (logKey, sender, recipient) => flipLastByte(signOffer(logKey, sender, recipient)),
    },
    {
      name: 'signed by someone else',
      sign: (logKey, _, recipient) => signOffer(logKey, makeAccount().identity, recipient),
    },
    {
      name: 'signed for another recipient',
      sign: (logKey, sender) => signOffer(logKey, sender, makeAccount().identity.publicKey),
    },
  ]

  test.for(forgeries)(
    'a deposit $name: the relay drops and penalises the depositor and holds nothing',
    async ({ sign }, { network, rogueNodes }) => {
      const home = join(network.dir, 'relay')
      const events: LogEvent[] = []
      const relay = await startRelay(network, 'relay', { log: recordInto(events) })
      let forgedKey: Buffer | undefined
      let genuineKey: Buffer | undefined
      try {
        const bob = await registeredAccount(rogueNodes, relay)
        const bobKey = bob.node.publicKey
        const sender = await rogueNodes.create()
        const genuine = await opaqueLog(sender, 2)
        const forged = await opaqueLog(sender, 2)
        genuineKey = genuine.key as Buffer
        forgedKey = forged.key as Buffer
        const genuineDeposit = depositFrame(
          genuine,
          bobKey,
          signOffer(genuineKey, sender.identity, bobKey),
        )

        // Control: the connection works, and a deposit signed by its sender is held.
        const wire = sender.dial(relay.publicKey)
        wire.send('deposit', genuineDeposit)
        await within(SOON, 'held', wire.frame('held'))

        wire.send('deposit', depositFrame(forged, bobKey, sign(forgedKey, sender.identity, bobKey)))
        await within(SOON, 'the relay dropping the depositor', wire.closed)
        expect(wire.received.map((r) => r.type)).toEqual(['held'])
        expect(events).toContainEqual({
          event: 'peer-dropped',
          detail: {
            peer: sender.publicKey.toString('hex'),
            reason: 'The deposit is not signed by its owner',
          },
        })
        // Penalised: a new connection is cut before the genuine deposit (held at once before) is answered.
        const again = sender.dial(relay.publicKey)
        again.send('deposit', genuineDeposit)
        expect(await within(SOON, 'the redial ending', again.firstFrameOrClose())).toBe('closed')
        // The recipient was only ever offered the genuine log.
        const offered = bob.wire.received
          .filter((r) => r.type === 'offer')
          .map((r) => relayCodecs.offer.decode(r.frame).logKey)
        expect(offered).toEqual([genuineKey])
      } finally {
        await relay.close()
      }
      expect(await relayDisk(home, forgedKey)).toEqual({ length: 0, has: [] })
      expect(await relayDisk(home, genuineKey)).toEqual({ length: 2, has: [true, true] })
    },
  )
})

describe('pruning', () => {
  test('after the grace period the relay clears the blocks its recipient acknowledged', async ({
    network,
    rogueNodes,
  }) => {
    const home = join(network.dir, 'relay')
    const graceMs = 300
    let relay = await startRelay(network, 'relay', { graceMs })
    let logKey: Buffer | undefined
    let before: { length: number; has: boolean[] } | undefined
    try {
      // Bob is hand-driven, so the test decides when he acknowledges.
      const bob = await rogueNodes.create()
      await bob.publishProfile([relay.publicKey])
      let wire = bob.dial(relay.publicKey)
      wire.send('register', registerFrame(bob, relay))
      const first = relayCodecs.registered.decode(
        await within(SOON, 'registered', wire.frame('registered')),
      )
      expect(first.usedBytes).toBe(0)

      const alice = await network.open('alice', relayOptions)
      const { id } = await alice.send({
        to: bob.address,
        subject: 'held, then cleared',
        text: 'several blocks',
        attachments: [{ filename: 'big.bin', content: randomBytes(150_000) }],
      })
      await within(SOON, 'relayed', deliveryOf(alice, id, bob.address, 'relayed'))
      const offer = relayCodecs.offer.decode(await within(SOON, 'offer', wire.frame('offer')))
      expect(verifyOffer({ ...offer, ackedUpTo: 0 }, identityOf(alice), bob.publicKey)).toBe(true)
      logKey = offer.logKey
      await alice.close()

      // Positive control: unacknowledged, every block is on the relay's disk and counted (at least one
      // prune ran meanwhile: the interval is the grace period).
      await relay.close()
      before = await relayDisk(home, logKey)
      expect(before.length).toBeGreaterThan(1)
      expect(before.has.every(Boolean)).toBe(true)
      relay = await startRelay(network, 'relay', { graceMs })
      wire = bob.dial(relay.publicKey)
      wire.send('register', registerFrame(bob, relay))
      const again = relayCodecs.registered.decode(
        await within(SOON, 'registered', wire.frame('registered')),
      )
      expect(again.usedBytes).toBeGreaterThan(0)
      await within(SOON, 'the log offered again', wire.frame('offer'))

      wire.send('ack', encodeAck({ logKey, length: before.length, rejected: [] }, bob.identity))
      // What the relay holds counts against Bob's quota until it is cleared: ask until it is gone.
      await within(
        SOON,
        'the relay clearing the acknowledged blocks',
        usedBytesReaches(wire, bob, relay, 0),
      )
    } finally {
      await relay.close()
    }
    const after = await relayDisk(home, logKey)
    expect(after.length).toBe(before.length)
    expect(after.has).toEqual(before.has.map(() => false))
  })
})

function registerFrame(node: RogueNode, relay: Relay): Buffer {
  return relayCodecs.register.encode(signRegister(node.identity, relay.publicKey, Date.now()))
}

/** Registers again and again on `wire` until the relay reports `usedBytes` for the account. */
async function usedBytesReaches(wire: RelayWire, node: RogueNode, relay: Relay, usedBytes: number) {
  for (;;) {
    const n = wire.count('registered')
    wire.send('register', registerFrame(node, relay))
    const answer = relayCodecs.registered.decode(await wire.nth('registered', n))
    if (answer.usedBytes === usedBytes) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
