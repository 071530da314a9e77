import { describe, expect } from 'vitest'
import {
  deriveAccountKeys,
  generateSeed,
  mintStamp,
  randomBytes,
  type SigningKeyPair,
} from '../../../src/crypto/index.js'
import type { Account, MessageSummary } from '../../../src/index.js'
import { u16, u32, u64, u8 } from '../../../src/sync/codec.js'
import { CHUNK_BYTES, FrameKind, FRAME_VERSION, frameMail } from '../../../src/sync/frames.js'
import { sealBlock } from '../../../src/sync/pair-log.js'
import { peerMailAddress } from '../../../src/sync/peer-address.js'
import { stateNames } from '../../../src/sync/state-names.js'
import { encodeAck, RejectCode, type Rejection } from '../../../src/sync/wire.js'
import { makeAccount, recipientOf as recipientOfKeys } from '../../helpers/accounts.js'
import { deliveryOf, nextMails } from '../../helpers/network.js'
import {
  badStamp,
  identityOf,
  rawMail,
  recipientOf,
  test,
  watchFirewall,
  type ChannelMessage,
  type RogueConnection,
  type RoguePeer,
} from '../../helpers/rogue-peer.js'

// The network fixture opens accounts asking strangers for 8-bit stamps.
const DIFFICULTY = 8

/** Every mail `account` holds in its inbox and Requests. */
async function storedMail(account: Account): Promise<MessageSummary[]> {
  const inbox = await account.mailbox.list({ folder: 'inbox' })
  const requests = await account.mailbox.list({ folder: 'requests' })
  return [...inbox, ...requests]
}

/** [folder, subject, From addresses, proven peer] of every stored mail, sorted by subject. */
async function mailSeen(account: Account): Promise<[string, string, string[], string][]> {
  return (await storedMail(account))
    .map((m): [string, string, string[], string] => [
      m.folder,
      m.subject,
      m.from.map((a) => a.address.toLowerCase()),
      m.peer ?? '',
    ])
    .sort((a, b) => a[1].localeCompare(b[1]))
}

/** Subjects of every stored mail, sorted. */
async function subjectsOf(account: Account): Promise<string[]> {
  return (await mailSeen(account)).map(([, subject]) => subject)
}

/** The rejections at `seqs` with `code`, as an ack lists them. */
function rejections(seqs: number[], code: RejectCode): Rejection[] {
  return seqs.map((seq) => ({ seq, code, difficulty: DIFFICULTY }))
}

function flipByte(block: Buffer, at: number): Buffer {
  const copy = Buffer.from(block)
  copy[at] = (copy[at] ?? 0) ^ 0x01
  return copy
}

/** Fails after `ms` unless `promise` settles first (a bounded wait for something that must happen). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`${what}: nothing after ${ms} ms`))
        }, ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** After the victim dropped `rogue`, a new connection from it is cut before any hello (the penalty). */
async function expectPenalised(rogue: RoguePeer, victim: Buffer): Promise<void> {
  const again = rogue.connect(victim)
  expect(await again.helloOrClose()).toBe('closed')
}

/** Offers `logKey` on `conn` and waits for the ack covering `length` blocks of it. */
function offerAndWait(
  rogue: RoguePeer,
  conn: RogueConnection,
  logKey: Buffer,
  length: number,
  victim: Buffer,
) {
  conn.send('offer', rogue.offer(logKey, victim))
  return conn.ackCovering(logKey, length)
}

describe('a forged sender', () => {
  const forgedOffers: {
    name: string
    forge: (rogue: RoguePeer, logKey: Buffer, bob: Buffer) => Buffer
  }[] = [
    {
      name: 'signed by another key',
      forge: (rogue, logKey, bob) => rogue.offer(logKey, bob, { signer: makeAccount().identity }),
    },
    {
      name: 'signed for another recipient',
      forge: (rogue, logKey, bob) =>
        rogue.offer(logKey, bob, { signedFor: makeAccount().identity.publicKey }),
    },
    {
      name: 'with a flipped signature bit',
      forge: (rogue, logKey, bob) => {
        const offer = rogue.offer(logKey, bob)
        return flipByte(offer, offer.byteLength - 1)
      },
    },
  ]

  test.for(forgedOffers)(
    'an offer $name is refused: nothing ingested, the peer cut off and penalised',
    async ({ forge }, { network, rogues }) => {
      const bob = await network.open('bob')
      const bobKey = identityOf(bob)
      const rogue = await rogues.create()
      const { conn, victim } = await rogue.greet(bobKey)
      const log = await rogue.createLog()
      // A mail Bob would admit (own From, good stamp) if the offer were taken.
      await rogue.append(log, rogue.mail(victim, 'smuggled'), victim)

      conn.send('offer', forge(rogue, log.key as Buffer, bobKey))
      await conn.closed
      expect(conn.acks).toEqual([])
      await expectPenalised(rogue, bobKey)

      // Control: the same kind of log, offered with a good signature by another peer, is taken.
      const honest = await rogues.create()
      const h = await honest.greet(bobKey)
      const honestLog = await honest.createLog()
      await honest.append(honestLog, honest.mail(h.victim, 'honest'), h.victim)
      const ack = await offerAndWait(honest, h.conn, honestLog.key as Buffer, 1, bobKey)
      expect(ack.rejected).toEqual([])
      expect(await mailSeen(bob)).toEqual([
        ['requests', 'honest', [honest.mailAddress.toLowerCase()], honest.address],
      ])
    },
  )

  test('a hello carrying Alice’s real profile is refused and Alice’s mail still arrives', async ({
    network,
    rogues,
  }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')
    const bobKey = identityOf(bob)
    const rogue = await rogues.create()

    // The rogue collects Alice's signed profile by greeting her.
    const { conn: toAlice } = await rogue.greet(identityOf(alice))
    const aliceProfile = toAlice.hellos[0]?.profile
    if (!aliceProfile) throw new Error('no hello from Alice')
    toAlice.destroy()

    const conn = rogue.connect(bobKey)
    await conn.opened
    await conn.victimProfile()
    conn.send('hello', rogue.hello(aliceProfile))
    await conn.closed
    await expectPenalised(rogue, bobKey)

    const arriving = nextMails(bob)
    const { id } = await alice.send({ to: bob.address, subject: 'really Alice', text: 'hi' })
    expect((await arriving).map((m) => m.subject)).toEqual(['really Alice'])
    await deliveryOf(alice, id, bob.address)
    expect(await mailSeen(bob)).toEqual([
      [
        'requests',
        'really Alice',
        [peerMailAddress(identityOf(alice)).toLowerCase()],
        alice.address,
      ],
    ])
  })

  // Each forged mail sits in the rogue's own, correctly signed log, followed by a genuine one.
  const forgedFroms: { name: string; headers: (rogue: string, alice: string) => string[] }[] = [
    { name: 'From: Alice', headers: (_, alice) => [`From: ${alice}`] },
    { name: 'no From', headers: () => [] },
    {
      name: 'From: rogue, Alice',
      headers: (rogue, alice) => [`From: ${rogue}, ${alice}`],
    },
    {
      name: 'From: "rogue" <Alice>',
      headers: (rogue, alice) => [`From: "${rogue}" <${alice}>`],
    },
    {
      name: 'two Froms, Alice last',
      headers: (rogue, alice) => [`From: ${rogue}`, `From: ${alice}`],
    },
    {
      name: 'a bare CR hides a From',
      headers: (rogue, alice) => [`Subject: forged\rFrom: ${rogue}`, `From: ${alice}`],
    },
  ]

  test.for(forgedFroms)(
    'a mail with $name is refused (FROM_MISMATCH); the next mail in the log is stored',
    async ({ headers }, { network, rogues }) => {
      const bob = await network.open('bob')
      const bobKey = identityOf(bob)
      const alice = peerMailAddress(makeAccount().identity.publicKey)
      const rogue = await rogues.create()
      const { conn, victim } = await rogue.greet(bobKey)
      const log = await rogue.createLog()
      const to = `To: ${peerMailAddress(victim.identity)}`
      const forged = rawMail([...headers(rogue.mailAddress, alice), to, 'Subject: forged'])
      await rogue.append(log, forged, victim)
      const length = await rogue.append(log, rogue.mail(victim, 'genuine'), victim)

      const ack = await offerAndWait(rogue, conn, log.key as Buffer, length, bobKey)
      // Nothing forged accepted: every stored mail from this log shows the rogue as its From.
      expect(await mailSeen(bob)).toEqual([
        ['requests', 'genuine', [rogue.mailAddress.toLowerCase()], rogue.address],
      ])
      expect(ack.rejected).toEqual(rejections([0], RejectCode.FROM_MISMATCH))
    },
  )

  test('a rogue offering Alice’s pair log as its own gets nothing from it; Alice’s log is untouched', async ({
    network,
    rogues,
  }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')
    const bobKey = identityOf(bob)
    const first = nextMails(bob)
    await alice.send({ to: bob.address, subject: 'one', text: '1' })
    await first
    const aliceLog = (await alice.mailbox.store.state.get(
      stateNames.outLog(bobKey.toString('hex')),
    )) as { key: string } | undefined
    if (!aliceLog) throw new Error('Alice has no pair log to Bob')
    const logKey = Buffer.from(aliceLog.key, 'hex')

    // Bob holds Alice's blocks already; the rogue signs a valid offer of that log as its own.
    const rogue = await rogues.create()
    const { conn } = await rogue.greet(bobKey)
    const ack = await offerAndWait(rogue, conn, logKey, 1, bobKey)
    expect(ack.rejected).toEqual(rejections([0], RejectCode.MALFORMED))

    const second = nextMails(bob)
    const { id } = await alice.send({ to: bob.address, subject: 'two', text: '2' })
    await second
    await deliveryOf(alice, id, bob.address)
    const aliceFrom = [peerMailAddress(identityOf(alice)).toLowerCase()]
    expect(await mailSeen(bob)).toEqual([
      ['requests', 'one', aliceFrom, alice.address],
      ['requests', 'two', aliceFrom, alice.address],
    ])
  })
})

describe('tampered, replayed and re-addressed blocks', () => {
  test('blocks altered or sealed for another place do not open; the good mail after them is stored', async ({
    network,
    rogues,
  }) => {
    const bob = await network.open('bob')
    const bobKey = identityOf(bob)
    const rogue = await rogues.create()
    const { conn, victim } = await rogue.greet(bobKey)
    const log = await rogue.createLog()
    const logKey = log.key as Buffer
    const sealedAt = (subject: string, where: { logKey: Buffer; seq: number }) => {
      const [block] = rogue.seal(rogue.mail(victim, subject), where, victim)
      if (!block) throw new Error('no block')
      return block
    }
    const flipped = sealedAt('flipped', { logKey, seq: 0 })
    const truncated = sealedAt('truncated', { logKey, seq: 3 })
    await log.append([
      flipByte(flipped, Math.floor(flipped.byteLength / 2)),
      sealedAt('moved', { logKey, seq: 7 }),
      sealedAt('other log', { logKey: randomBytes(32), seq: 2 }),
      truncated.subarray(0, truncated.byteLength - 10),
      flipByte(sealedAt('header', { logKey, seq: 4 }), 0),
      sealedAt('good', { logKey, seq: 5 }),
    ])

    const ack = await offerAndWait(rogue, conn, logKey, 6, bobKey)
    expect(ack.rejected).toEqual(rejections([0, 1, 2, 3, 4], RejectCode.MALFORMED))
    expect(await mailSeen(bob)).toEqual([
      ['requests', 'good', [rogue.mailAddress.toLowerCase()], rogue.address],
    ])
    // Bad blocks are the sender's loss, not a protocol violation: the connection stays.
    expect(conn.isClosed).toBe(false)
  })

  test('a refusal outlives a restart: acks list it until the sender says it heard, then it is dropped', async ({
    network,
    rogues,
  }) => {
    let bob = await network.open('bob')
    const bobKey = identityOf(bob)
    const rogue = await rogues.create()
    const first = await rogue.greet(bobKey)
    const log = await rogue.createLog()
    const logKey = log.key as Buffer
    const [bad] = rogue.seal(rogue.mail(first.victim, 'bad'), { logKey, seq: 0 }, first.victim)
    const [good] = rogue.seal(rogue.mail(first.victim, 'good'), { logKey, seq: 1 }, first.victim)
    if (!bad || !good) throw new Error('no block')
    await log.append([flipByte(bad, Math.floor(bad.byteLength / 2)), good])
    const ack = await offerAndWait(rogue, first.conn, logKey, 2, bobKey)
    expect(ack.rejected).toEqual(rejections([0], RejectCode.MALFORMED))

    await bob.close()
    bob = await network.open('bob')
    const again = await rogue.greet(bobKey)
    const after = await offerAndWait(rogue, again.conn, logKey, 2, bobKey)
    expect(after.rejected).toEqual(rejections([0], RejectCode.MALFORMED))

    // The sender has heard up to 2: the ack to that offer lists nothing, and the stored refusal is gone.
    const before = again.conn.acks.length
    again.conn.send('offer', rogue.offer(logKey, bobKey, { ackedUpTo: 2 }))
    const heard = await within(
      20_000,
      'the ack to the second offer',
      (async () => {
        for (;;) {
          const next = again.conn.acks.slice(before).find((a) => a.logKey.equals(logKey))
          if (next) return next
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      })(),
    )
    expect(heard).toMatchObject({ length: 2, rejected: [] })
    expect(await bob.mailbox.store.state.list('in/rej/')).toEqual([])
    expect(await subjectsOf(bob)).toEqual(['good'])
  })

  test('a block replayed at another position or in another log does not open; a re-sealed copy is stored once', async ({
    network,
    rogues,
  }) => {
    const bob = await network.open('bob')
    const bobKey = identityOf(bob)
    const rogue = await rogues.create()
    const { conn, victim } = await rogue.greet(bobKey)

    const log = await rogue.createLog()
    const logKey = log.key as Buffer
    const original = rogue.mail(victim, 'original')
    const [sealed] = rogue.seal(original, { logKey, seq: 0 }, victim)
    if (!sealed) throw new Error('no block')
    await log.append([sealed, sealed])
    // The same mail sealed afresh for its new place (what a crash before the outbox commit causes).
    await rogue.append(log, original, victim)
    const length = await rogue.append(log, rogue.mail(victim, 'after'), victim)
    const ack = await offerAndWait(rogue, conn, logKey, length, bobKey)
    expect(ack.rejected).toEqual(rejections([1], RejectCode.MALFORMED))

    const other = await rogue.createLog()
    const otherKey = other.key as Buffer
    await other.append([sealed])
    const otherLength = await rogue.append(other, rogue.mail(victim, 'other log'), victim)
    const otherAck = await offerAndWait(rogue, conn, otherKey, otherLength, bobKey)
    expect(otherAck.rejected).toEqual(rejections([0], RejectCode.MALFORMED))

    const from = [rogue.mailAddress.toLowerCase()]
    expect(await mailSeen(bob)).toEqual([
      ['requests', 'after', from, rogue.address],
      ['requests', 'original', from, rogue.address],
      ['requests', 'other log', from, rogue.address],
    ])
  })

  test('envelopes sealed to someone else, re-addressed, or sealed by another sender do not open', async ({
    network,
    rogues,
  }) => {
    const bob = await network.open('bob')
    const bobKey = identityOf(bob)
    const rogue = await rogues.create()
    const { conn, victim } = await rogue.greet(bobKey)
    const log = await rogue.createLog()
    const logKey = log.key as Buffer
    const carol = makeAccount()
    const mallory = makeAccount()
    // A frame with a stamp good for Bob, minted by `stampedBy`.
    const frame = (raw: Buffer, stampedBy: SigningKeyPair = rogue.identity) => {
      const subject = { ...rogue.stampSubject(raw, bobKey), sender: stampedBy.publicKey }
      const [only] = frameMail(raw, mintStamp(subject, DIFFICULTY))
      if (!only) throw new Error('no frame')
      return only
    }
    const malloryMail = rawMail([
      `From: ${peerMailAddress(mallory.identity.publicKey)}`,
      `To: ${peerMailAddress(bobKey)}`,
      'Subject: by mallory',
    ])

    await log.append([
      // Sealed for Carol: Bob has no key for it.
      sealBlock(
        frame(rogue.mail(victim, 'to carol')),
        { logKey, seq: 0 },
        rogue.identity,
        recipientOfKeys(carol),
      ),
      // Sealed to Bob's encryption key but bound to Carol's identity: re-addressed.
      sealBlock(frame(rogue.mail(victim, 're-addressed')), { logKey, seq: 1 }, rogue.identity, {
        identityPublicKey: carol.identity.publicKey,
        encryptionPublicKey: recipientOf(victim).encryptionPublicKey,
      }),
      // Sealed by Mallory (with Mallory's From and stamp) into the rogue's log.
      sealBlock(
        frame(malloryMail, mallory.identity),
        { logKey, seq: 2 },
        mallory.identity,
        recipientOf(victim),
      ),
    ])
    const length = await rogue.append(log, rogue.mail(victim, 'good'), victim)

    const ack = await offerAndWait(rogue, conn, logKey, length, bobKey)
    expect(ack.rejected).toEqual(rejections([0, 1, 2], RejectCode.MALFORMED))
    expect(await mailSeen(bob)).toEqual([
      ['requests', 'good', [rogue.mailAddress.toLowerCase()], rogue.address],
    ])
  })

  // A mail's blocks are appended in one call and a log's length grows atomically, so a first part whose
  // claimed parts are not there is malformed: the reader must not wait for them.
  const badFirstParts: { name: string; frame: () => Buffer }[] = [
    {
      name: 'claims absent parts',
      frame: () => {
        const [first] = frameMail(randomBytes(CHUNK_BYTES * 2 + 10))
        if (!first) throw new Error('no frame')
        return first
      },
    },
    {
      name: 'claims 64 MB',
      frame: () =>
        Buffer.concat([
          u8(FRAME_VERSION),
          u8(FrameKind.FIRST),
          u8(0), // no stamp
          u32(1000), // parts
          u32(1000 * CHUNK_BYTES), // total: about 64 MB, over the 50 MB default
          randomBytes(CHUNK_BYTES),
        ]),
    },
  ]

  test.for(badFirstParts)(
    'a first part that $name does not hold back the mail after it',
    async ({ frame }, { network, rogues }) => {
      const bob = await network.open('bob')
      const bobKey = identityOf(bob)
      const rogue = await rogues.create()
      const { conn, victim } = await rogue.greet(bobKey)
      const log = await rogue.createLog()
      const logKey = log.key as Buffer
      await log.append([
        sealBlock(frame(), { logKey, seq: 0 }, rogue.identity, recipientOf(victim)),
      ])
      const length = await rogue.append(log, rogue.mail(victim, 'after'), victim)

      const ack = await within(
        15_000,
        'an ack past the bad first part',
        offerAndWait(rogue, conn, logKey, length, bobKey),
      )
      expect(await mailSeen(bob)).toEqual([
        ['requests', 'after', [rogue.mailAddress.toLowerCase()], rogue.address],
      ])
      // Only the bad block is refused, and the cursor never runs past the end of the log.
      expect(ack.rejected.map((r) => r.seq)).toEqual([0])
      expect(ack.length).toBe(length)
    },
  )
})

describe('first-contact stamps', () => {
  test('a stranger’s mail without a good stamp is refused with STAMP_REQUIRED and never reaches Requests', async ({
    network,
    rogues,
  }) => {
    const bob = await network.open('bob')
    const bobKey = identityOf(bob)
    const rogue = await rogues.create()
    const { conn, victim } = await rogue.greet(bobKey)
    expect(victim.stampDifficulty).toBe(DIFFICULTY)
    const log = await rogue.createLog()
    const carol = makeAccount()
    const mallory = makeAccount()
    const subjectOf = (raw: Buffer) => rogue.stampSubject(raw, bobKey)

    const none = rogue.mail(victim, 'no stamp')
    await rogue.append(log, none, victim, null)
    const otherMail = rogue.mail(victim, 'stamp of another mail')
    await rogue.append(
      log,
      otherMail,
      victim,
      badStamp(subjectOf(none), DIFFICULTY, subjectOf(otherMail), DIFFICULTY),
    )
    const forCarol = rogue.mail(victim, 'stamp for carol')
    await rogue.append(
      log,
      forCarol,
      victim,
      badStamp(
        rogue.stampSubject(forCarol, carol.identity.publicKey),
        DIFFICULTY,
        subjectOf(forCarol),
        DIFFICULTY,
      ),
    )
    const byMallory = rogue.mail(victim, 'stamp by mallory')
    await rogue.append(
      log,
      byMallory,
      victim,
      badStamp(
        { ...subjectOf(byMallory), sender: mallory.identity.publicKey },
        DIFFICULTY,
        subjectOf(byMallory),
        DIFFICULTY,
      ),
    )
    const weak = rogue.mail(victim, 'weak stamp')
    await rogue.append(log, weak, victim, badStamp(subjectOf(weak), 0, subjectOf(weak), DIFFICULTY))
    const length = await rogue.append(log, rogue.mail(victim, 'stamped'), victim)

    const ack = await offerAndWait(rogue, conn, log.key as Buffer, length, bobKey)
    expect(ack.rejected).toEqual(rejections([0, 1, 2, 3, 4], RejectCode.STAMP_REQUIRED))
    expect(await mailSeen(bob)).toEqual([
      ['requests', 'stamped', [rogue.mailAddress.toLowerCase()], rogue.address],
    ])
  })

  test('through the public API a first mail to a demanding stranger carries its stamp and lands in Requests', async ({
    network,
  }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob', { stampDifficulty: 12 })
    const arriving = nextMails(bob)
    const { id } = await alice.send({ to: bob.address, subject: 'worth 12 bits', text: 'hi' })
    const [mail] = await arriving
    expect(mail).toMatchObject({
      folder: 'requests',
      subject: 'worth 12 bits',
      peer: alice.address,
    })
    await deliveryOf(alice, id, bob.address)
    expect(await alice.status(id)).toEqual({ [bob.address]: 'delivered' })
  })
})

describe('a blocked key', () => {
  test('mail from a blocked account is never stored and stays undelivered', async ({ network }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')
    const carol = await network.open('carol')
    await bob.block(alice.address)
    const refused = new Promise<void>((resolve) => {
      watchFirewall(bob, identityOf(alice), resolve)
    })

    const { id } = await alice.send({ to: bob.address, subject: 'let me in', text: 'please' })
    await refused
    // Bob keeps taking everyone else's mail.
    const arriving = nextMails(bob)
    await carol.send({ to: bob.address, subject: 'from carol', text: 'hi' })
    await arriving

    expect(await alice.status(id)).toEqual({ [bob.address]: 'queued' })
    expect(await subjectsOf(bob)).toEqual(['from carol'])
    expect(await bob.mailbox.store.contacts.get(alice.address)).toMatchObject({ blocked: true })
  })

  test('blocking a connected peer cuts it off at once, and it cannot come back', async ({
    network,
    rogues,
  }) => {
    const bob = await network.open('bob')
    const bobKey = identityOf(bob)
    const rogue = await rogues.create()
    const { conn, victim } = await rogue.greet(bobKey)
    const log = await rogue.createLog()
    const logKey = log.key as Buffer
    const length = await rogue.append(log, rogue.mail(victim, 'before'), victim)
    await offerAndWait(rogue, conn, logKey, length, bobKey)

    await bob.block(rogue.address)
    await conn.closed
    await rogue.append(log, rogue.mail(victim, 'after'), victim)
    const again = rogue.connect(bobKey)
    await expect(again.opened).rejects.toThrow()
    expect(again.hellos).toEqual([])

    expect(await subjectsOf(bob)).toEqual(['before'])
  })
})

describe('a peer that floods or sends malformed frames', () => {
  const signer = deriveAccountKeys(generateSeed()).identity
  const ackFrame = () => encodeAck({ logKey: randomBytes(32), length: 0, rejected: [] }, signer)
  const attacks: {
    name: string
    frames: (rogue: RoguePeer, bob: Buffer) => [ChannelMessage, Buffer][]
  }[] = [
    {
      name: 'a hello with undefined flags',
      frames: (rogue) => [['hello', Buffer.concat([u8(2), rogue.profile()])]],
    },
    {
      name: 'a hello of garbage',
      frames: () => [['hello', Buffer.concat([u8(0), randomBytes(120)])]],
    },
    {
      name: 'a hello over 16 KiB',
      frames: () => [['hello', Buffer.alloc(16 * 1024 + 1)]],
    },
    {
      name: 'an offer before hello',
      frames: (rogue, bob) => [['offer', rogue.offer(randomBytes(32), bob)]],
    },
    { name: 'an ack before hello', frames: () => [['ack', ackFrame()]] },
    {
      name: 'a truncated offer',
      frames: (rogue, bob) => [
        ['hello', rogue.hello()],
        ['offer', rogue.offer(randomBytes(32), bob).subarray(0, 40)],
      ],
    },
    {
      name: 'an offer over 16 KiB',
      frames: (rogue) => [
        ['hello', rogue.hello()],
        ['offer', Buffer.alloc(16 * 1024 + 1)],
      ],
    },
    {
      name: 'an ack with a bad code',
      frames: (rogue) => [
        ['hello', rogue.hello()],
        ['ack', Buffer.concat([randomBytes(32), u64(1), u16(1), u64(0), u8(99), u8(0)])],
      ],
    },
    {
      name: '3000 frames at once',
      frames: (rogue) => [
        ['hello', rogue.hello()],
        ...Array.from({ length: 3000 }, (): [ChannelMessage, Buffer] => ['ack', ackFrame()]),
      ],
    },
  ]

  test.for(attacks)(
    '$name: the victim drops and penalises that peer and keeps delivering',
    async ({ frames }, { network, rogues }) => {
      const alice = await network.open('alice')
      const bob = await network.open('bob')
      const bobKey = identityOf(bob)
      const rogue = await rogues.create()
      const conn = rogue.connect(bobKey)
      await conn.opened
      await conn.victimProfile() // the session is up before the attack

      const arriving = nextMails(bob)
      const { id } = await alice.send({ to: bob.address, subject: 'meanwhile', text: 'hi' })
      for (const [type, frame] of frames(rogue, bobKey)) conn.send(type, frame)
      await conn.closed
      await expectPenalised(rogue, bobKey)

      await arriving
      await deliveryOf(alice, id, bob.address)
      expect(await subjectsOf(bob)).toEqual(['meanwhile'])
    },
  )

  test('several attackers at once: each is dropped, a well-behaved peer stays, every mail arrives once', async ({
    network,
    rogues,
  }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')
    const bobKey = identityOf(bob)
    const [flooder, garbler, early] = await Promise.all([
      rogues.create(),
      rogues.create(),
      rogues.create(),
    ])
    const honest = await rogues.create()
    const h = await honest.greet(bobKey)
    const floodConn = flooder.connect(bobKey)
    const garbleConn = garbler.connect(bobKey)
    const earlyConn = early.connect(bobKey)
    const conns = [floodConn, garbleConn, earlyConn]
    await Promise.all(conns.map((conn) => conn.victimProfile()))

    const arriving = nextMails(bob, 4)
    const sent = Promise.all(
      ['one', 'two', 'three'].map((subject) =>
        alice.send({ to: bob.address, subject, text: subject }),
      ),
    )
    floodConn.send('hello', flooder.hello())
    for (let i = 0; i < 5000; i++) floodConn.send('ack', ackFrame())
    garbleConn.send('hello', randomBytes(300))
    earlyConn.send('offer', early.offer(randomBytes(32), bobKey))

    const honestLog = await honest.createLog()
    const length = await honest.append(honestLog, honest.mail(h.victim, 'honest'), h.victim)
    await offerAndWait(honest, h.conn, honestLog.key as Buffer, length, bobKey)
    await Promise.all(conns.map((conn) => conn.closed))
    await arriving
    for (const { id } of await sent) await deliveryOf(alice, id, bob.address)

    expect(h.conn.isClosed).toBe(false)
    expect(await subjectsOf(bob)).toEqual(['honest', 'one', 'three', 'two'])
  })
})
