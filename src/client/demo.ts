import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { VAULT_PARAMS_INTERACTIVE } from '../crypto/index.js'
import type { MessageSummary } from '../mailbox/index.js'
import { createLocalNetwork, type BootstrapNode, type LocalNetwork } from '../sync/index.js'
import { createTransport } from 'nodemailer'
import { openAccount, type Account } from './account.js'
import { openBridge, type Bridge } from './bridge.js'
import {
  DEMO_DKIM_SELECTOR,
  demoDkimKey,
  demoResolver,
  startDemoWorld,
  WORLD_DOMAIN,
  type DemoWorld,
} from './demo-world.js'
import { startLocalSubmission } from './local-submission.js'
import { openRelay, type Relay } from './relay.js'
import { renewSubmissionPassword } from './submission-password.js'

/** One step of the demo story, as it is reported. */
export interface DemoStep {
  title: string
  ok: boolean
  ms: number
  detail: string
}

export interface DemoOptions {
  /** Where the accounts and the relay live; default a new temp dir, removed by close(). */
  dir?: string
  /** Called as each step finishes. */
  onStep?: (step: DemoStep) => void
  /** Longest wait for any one step, ms. Default 60 s. */
  stepTimeoutMs?: number
}

/** The demo network, still running after the story: use it from the CLI with `--bootstrap`. */
export interface Demo {
  ok: boolean
  steps: DemoStep[]
  bootstrap: BootstrapNode[]
  accounts: { name: string; home: string; address: string; passphrase: string }[]
  relay: { home: string; address: string }
  /** The bridge for `demo.test` and the SMTP port it takes ordinary mail on. */
  bridge: { home: string; address: string; domain: string; smtpPort: number }
  /** The named account, online, when the story left it open (it does for all three on success). */
  account(name: string): Account | undefined
  close(): Promise<void>
}

const NAMES = ['alice', 'bob', 'carol'] as const
/** The bridge's mail domain in the demo. */
const DEMO_DOMAIN = 'demo.test'
/** The ordinary correspondent out in the world. */
const DAVE = `dave@${WORLD_DOMAIN}`
type Name = (typeof NAMES)[number]

/**
 * `peermail demo`: a whole small network on this machine alone — a DHT on 127.0.0.1, a relay, three
 * accounts, a bridge for `demo.test` and an SMTP server standing in for the rest of the internet — and a
 * story of real mail between them, each step checked: a first mail with an attachment (it lands in
 * Requests), a reply in the same thread, mail written while its recipient was offline, held by the
 * recipient's relay and picked up when it comes back, and ordinary email through the bridge, in and out.
 * Nothing leaves 127.0.0.1 (the bridge's DNS checks are answered from memory).
 */
export async function runDemo(options: DemoOptions = {}): Promise<Demo> {
  const ownDir = options.dir === undefined
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'peermail-demo-')))
  const timeoutMs = options.stepTimeoutMs ?? 60_000
  const steps: DemoStep[] = []
  const open = new Map<Name, Account>()
  let net: LocalNetwork | undefined
  let relay: Relay | undefined
  let bridge: Bridge | undefined
  let world: DemoWorld | undefined

  const close = async () => {
    await bridge?.close()
    await world?.close()
    for (const account of open.values()) await account.close()
    open.clear()
    await relay?.close()
    await net?.close()
    if (ownDir) await rm(dir, { recursive: true, force: true })
  }

  const step = async (title: string, run: () => Promise<string>): Promise<boolean> => {
    const started = performance.now()
    let ok = true
    let detail: string
    try {
      detail = await withTimeout(run(), timeoutMs, title)
    } catch (err) {
      ok = false
      detail = err instanceof Error ? err.message : String(err)
    }
    const done = { title, ok, ms: Math.round(performance.now() - started), detail }
    steps.push(done)
    options.onStep?.(done)
    return ok
  }

  const account = async (name: Name): Promise<Account> => {
    const existing = open.get(name)
    if (existing) return existing
    const opened = await openAccount({
      home: join(dir, name),
      passphrase: passphraseOf(name),
      bootstrap: net?.bootstrap ?? [],
      vaultParams: VAULT_PARAMS_INTERACTIVE,
      relays: name === 'bob' && relay ? [relay.address] : [],
      relayAfterMs: 500,
      backoffs: [200, 500, 1000, 2000],
      redialEveryMs: 5000,
    })
    open.set(name, opened)
    return opened
  }
  const offline = async (name: Name) => {
    await open.get(name)?.close()
    open.delete(name)
  }

  const addresses: Partial<Record<Name, string>> = {}
  const story = async () => {
    if (
      !(await step('Start a private DHT on 127.0.0.1', async () => {
        net = await createLocalNetwork()
        return `bootstrap ${net.bootstrap.map((b) => `${b.host}:${b.port}`).join(',')}`
      }))
    )
      return
    if (
      !(await step('Start a relay (a blind mirror for offline mail)', async () => {
        relay = await openRelay({ home: join(dir, 'relay'), bootstrap: net?.bootstrap ?? [] })
        return relay.address
      }))
    )
      return
    if (
      !(await step('Create Alice, Bob and Carol; Bob registers with the relay', async () => {
        const bob = await account('bob')
        const registered = once(bob, 'relay')
        for (const name of NAMES) addresses[name] = (await account(name)).address
        await registered
        return NAMES.map((n) => `${n} ${addresses[n] ?? '?'}`).join('; ')
      }))
    )
      return
    const alice = await account('alice')
    let bob = await account('bob')
    let firstMail: MessageSummary | undefined
    const attachment = Buffer.from('Peermail demo: the agenda, as bytes.\n')
    if (
      !(await step('Alice sends Bob a first mail with an attachment', async () => {
        const arriving = nextMail(bob)
        const { id } = await alice.send({
          to: bob.address,
          subject: 'Lunch on Friday?',
          text: 'Hi Bob, agenda attached.',
          attachments: [{ filename: 'agenda.txt', content: attachment }],
        })
        firstMail = await arriving
        const read = await bob.mailbox.read(firstMail.id)
        if (!read.attachments[0]?.content.equals(attachment))
          throw new Error('the attachment arrived changed')
        await delivered(alice, id, bob.address)
        return `in Bob's ${firstMail.folder} (a stranger's first mail, with a proof-of-work stamp); delivered`
      }))
    )
      return
    if (
      !(await step('Bob accepts Alice and replies in the same thread', async () => {
        await bob.acceptRequest(alice.address)
        const arriving = nextMail(alice)
        await bob.send({
          to: alice.address,
          subject: 'Re: Lunch on Friday?',
          text: 'Yes!',
          inReplyTo: firstMail?.id ?? '',
        })
        const reply = await arriving
        const sentThread = (await alice.mailbox.store.list({ folder: 'sent' })).items[0]?.threadId
        if (reply.threadId !== sentThread) throw new Error('the reply started a new thread')
        return `in Alice's ${reply.folder}, threaded under her mail`
      }))
    )
      return
    const carol = await account('carol')
    let carolMailId = ''
    if (
      !(await step('Bob goes offline; Carol writes to him; his relay holds it', async () => {
        await offline('bob')
        const { id } = await carol.send({
          to: addresses.bob ?? '',
          subject: 'While you were out',
          text: 'Call me back.',
        })
        carolMailId = id
        await stateReached(carol, id, addresses.bob ?? '', 'relayed')
        return 'status: relayed (sealed to Bob, unreadable by the relay)'
      }))
    )
      return
    await step('Carol goes offline; Bob comes back and gets it from the relay', async () => {
      await offline('carol')
      bob = await account('bob')
      const mail = await nextMail(bob)
      if (mail.subject !== 'While you were out') throw new Error(`unexpected mail: ${mail.subject}`)
      const back = await account('carol')
      await delivered(back, carolMailId, bob.address)
      return `in Bob's ${mail.folder}; Carol, back online, sees it delivered`
    })
    await ordinaryEmail(alice)
  }

  /** The bridge: an ordinary address writes to Alice's alias over SMTP, and her answer goes back out. */
  const ordinaryEmail = async (alice: Account) => {
    const worldKey = demoDkimKey()
    if (
      !(await step(
        `Start a bridge for ${DEMO_DOMAIN}, and an SMTP server standing in for the outside world`,
        async () => {
          world = await startDemoWorld()
          bridge = await openBridge({
            home: join(dir, 'bridge'),
            passphrase: 'bridge-demo-passphrase',
            domain: DEMO_DOMAIN,
            bootstrap: net?.bootstrap ?? [],
            smtp: { host: '127.0.0.1', port: 0, resolver: demoResolver(worldKey) },
            smarthost: world.url,
            dkim: { selector: DEMO_DKIM_SELECTOR, privateKey: demoDkimKey().privateKey },
            vaultParams: VAULT_PARAMS_INTERACTIVE,
          })
          return `${bridge.address}; SMTP on 127.0.0.1:${bridge.smtpPort}; the world at ${world.url}`
        },
      ))
    )
      return
    const alias = `alice@${DEMO_DOMAIN}`
    if (
      !(await step(`Alice takes the address ${alias} on the bridge`, async () => {
        await alice.addAlias(alias, bridge?.address ?? '')
        return 'registered with a signed request over the peer-to-peer channel'
      }))
    )
      return
    let fromDave: MessageSummary | undefined
    if (
      !(await step(`${DAVE} writes to ${alias} by ordinary email`, async () => {
        const arriving = nextMail(alice)
        const smtp = createTransport({
          host: '127.0.0.1',
          port: bridge?.smtpPort ?? 0,
          secure: false,
          ignoreTLS: true,
        })
        try {
          await smtp.sendMail({
            from: `Dave <${DAVE}>`,
            to: alias,
            subject: 'Hello from ordinary email',
            text: 'Hi Alice, does this reach your new mail app?',
            dkim: {
              domainName: WORLD_DOMAIN,
              keySelector: DEMO_DKIM_SELECTOR,
              privateKey: worldKey.privateKey,
            },
          })
        } finally {
          smtp.close()
        }
        fromDave = await arriving
        if (fromDave.from[0]?.address !== DAVE) throw new Error('the sender was not kept')
        const raw = (await alice.mailbox.store.raw(fromDave.id)).toString('latin1')
        const head = raw.slice(0, raw.indexOf('\r\n\r\n'))
        const checks = ['spf', 'dkim', 'dmarc'].map(
          (m) => new RegExp(`\\b${m}=(\\w+)`).exec(head)?.[0],
        )
        if (checks.some((c) => c === undefined)) throw new Error('no Authentication-Results')
        return `in Alice's ${fromDave.folder}, sealed to her by the bridge, which keeps nothing it could read (${checks.join(' ')})`
      }))
    )
      return
    await step(
      `Alice answers; the bridge DKIM-signs it for ${DEMO_DOMAIN} and sends it out`,
      async () => {
        if (!world) throw new Error('no world')
        const out = world.next()
        await alice.send({
          to: DAVE,
          subject: 'Re: Hello from ordinary email',
          text: 'It does, Dave.',
          inReplyTo: fromDave?.id ?? '',
        })
        const got = await out
        const head = got.raw.toString('latin1').split('\r\n\r\n')[0] ?? ''
        if (!got.to.includes(DAVE)) throw new Error('it went to the wrong place')
        if (!new RegExp(`^From:.*${alias}`, 'mi').test(head)) throw new Error('not from the alias')
        if (!new RegExp(`^DKIM-Signature:[^]*?d=${DEMO_DOMAIN}`, 'mi').test(head))
          throw new Error('not DKIM-signed')
        return `${DAVE}'s mailbox got it, from ${alias}, DKIM-signed`
      },
    )
    await step(
      `Alice's mail app sends through her local SMTP submission, to Bob and to ${DAVE}`,
      async () => {
        if (!world) throw new Error('no world')
        const bob = await account('bob')
        const submission = await startLocalSubmission(alice)
        const app = createTransport({
          host: '127.0.0.1',
          port: submission.port,
          ignoreTLS: true,
          auth: { user: alice.address, pass: await renewSubmissionPassword(alice) },
        })
        try {
          const toBob = nextMail(bob)
          const out = world.next()
          await app.sendMail({
            from: `Alice <${alias}>`,
            to: [`${bob.address}@peermail.invalid`, DAVE],
            subject: 'Sent from my mail app',
            text: 'Written in an ordinary mail app, sent through Peermail.',
          })
          const [mail, legacy] = await Promise.all([toBob, out])
          if (mail.peer !== alice.address) throw new Error('Bob did not get it from Alice')
          if (!legacy.to.includes(DAVE) || legacy.from !== alias)
            throw new Error(`${DAVE} did not get it from ${alias}`)
          return `Bob got it peer to peer, ${DAVE} from ${alias}; the app logged in on 127.0.0.1:${submission.port} with an app password`
        } finally {
          app.close()
          await submission.close()
        }
      },
    )
  }

  try {
    await story()
  } catch (err) {
    await close()
    throw err
  }
  return {
    ok: steps.length > 0 && steps.every((s) => s.ok),
    steps,
    bootstrap: net?.bootstrap ?? [],
    accounts: NAMES.map((name) => ({
      name,
      home: join(dir, name),
      address: addresses[name] ?? '',
      passphrase: passphraseOf(name),
    })),
    relay: { home: join(dir, 'relay'), address: relay?.address ?? '' },
    bridge: {
      home: join(dir, 'bridge'),
      address: bridge?.address ?? '',
      domain: DEMO_DOMAIN,
      smtpPort: bridge?.smtpPort ?? 0,
    },
    account: (name) => open.get(name as Name),
    close,
  }
}

// Demo accounts on a throwaway network: their passphrases are printed, not secret.
function passphraseOf(name: Name): string {
  return `${name}-demo-passphrase`
}

function nextMail(account: Account): Promise<MessageSummary> {
  return new Promise((resolve) => account.once('mail', resolve))
}

function once(account: Account, event: 'relay'): Promise<void> {
  return new Promise((resolve) =>
    account.once(event, () => {
      resolve()
    }),
  )
}

function delivered(account: Account, id: string, recipient: string): Promise<void> {
  return stateReached(account, id, recipient, 'delivered')
}

function stateReached(
  account: Account,
  id: string,
  recipient: string,
  state: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (u: { id: string; recipient: string; state: string }) => {
      if (u.id === id && u.recipient === recipient && u.state === state) finish()
    }
    const finish = () => {
      account.off('delivery', check)
      resolve()
    }
    account.on('delivery', check)
    account.status(id).then((status) => {
      if (status[recipient] === state) finish()
    }, reject)
  })
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: no result after ${ms} ms`))
    }, ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
