/**
 * The online commands as a user runs them: the built binary in child processes, two accounts on a
 * loopback DHT started here (every command gets `--bootstrap` for it, so nothing leaves the machine).
 * Waits are the commands' own (`send --wait`, `sync --count/--timeout`), never sleeps in the test.
 */
import { describe, expect } from 'vitest'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createLocalNetwork } from '../../src/client/index.js'
import { peermail, startPeermail, type CliResult, type RunningCli } from '../helpers/cli.js'
import { test } from '../helpers/temp-dir.js'

const env = { PEERMAIL_PASSPHRASE: 'correct horse battery' }
/**
 * With HyperDHT 6.33-6.34 a first connection between two processes on loopback often half-opened (the
 * dialling side opens, the listening side never sees the stream) until a ~13 s timeout (hyperdht#304; the
 * project pins 6.32.0). As a safety net for a loaded machine, a sender still waits 30 s, then comes back
 * online with `sync` (a fresh dial) until its mail is delivered; the receiver's `sync` outlasts that.
 */
const WAIT = '30'
const REDIALS = 8
const REDIAL_SECONDS = '20'
const SYNC_TIMEOUT = '400'
const EXIT_MS = 420_000

interface Summary {
  id: string
  folder: string
  threadId: string
  subject: string
  peer?: string
  flags: { seen: boolean; answered: boolean }
}
type Page = { items: Summary[] }
type Sent = { id: string; status: Record<string, string> }

/** The JSON a successful command printed (it must have printed nothing on stderr). */
const json = (result: CliResult): unknown => {
  expect(result.stderr, result.stderr).toBe('')
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout)
}
const summaries = (text: string): Summary[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Summary)

describe('peermail CLI, online', () => {
  test(
    'send, sync, requests, read, reply, status, contacts, forward',
    { timeout: 900_000 },
    async ({ tempDir }) => {
      const net = await createLocalNetwork()
      const running: RunningCli[] = []
      try {
        const bootstrap = net.bootstrap.map((n) => `${n.host}:${n.port}`).join(',')
        const as = (name: string) => ['--home', join(tempDir, name), '--bootstrap', bootstrap]
        const run = (name: string, args: string[], input?: string) =>
          peermail([...as(name), ...args], { env, ...(input === undefined ? {} : { input }) })
        const start = (name: string, args: string[]) => {
          const child = startPeermail([...as(name), ...args], { env })
          running.push(child)
          return child
        }
        // `send`/`reply` said delivered or queued; if queued, the sender goes online again until it is not.
        const delivered = async (name: string, out: Sent, recipient: string) => {
          expect(Object.keys(out.status)).toEqual([recipient])
          expect(['delivered', 'queued']).toContain(out.status[recipient])
          for (let i = 0; i < REDIALS; i++) {
            const now = json(await run(name, ['--json', 'status', out.id])) as Sent
            if (now.status[recipient] === 'delivered') return
            expect((await run(name, ['sync', '--timeout', REDIAL_SECONDS])).code).toBe(0)
          }
          throw new Error(`${name}'s mail ${out.id} was never delivered`)
        }

        const [a, b] = await Promise.all([
          run('alice', ['--json', 'init']),
          run('bob', ['--json', 'init']),
        ])
        const alice = (json(a) as { address: string }).address
        const bob = (json(b) as { address: string }).address

        // First contact: Bob is online and receiving; Alice writes to him.
        const bobSync = start('bob', ['--json', 'sync', '--count', '1', '--timeout', SYNC_TIMEOUT])
        await bobSync.waitFor('stderr', /Online as pm1/, 60_000)
        const sent = json(
          await run(
            'alice',
            ['--json', 'send', '--to', `Bob <${bob}>`, '-s', 'Hello Bob', '--wait', WAIT],
            'First contact.\n',
          ),
        ) as Sent
        await delivered('alice', sent, bob)
        const bobGot = await bobSync.exit(EXIT_MS)
        expect(bobGot.code).toBe(0)
        const [arrived] = summaries(bobGot.stdout)
        expect(arrived).toMatchObject({ subject: 'Hello Bob', folder: 'requests', peer: alice })

        const requests = json(await run('bob', ['--json', 'list', '--folder', 'requests'])) as Page
        expect(requests.items.map((m) => m.subject)).toEqual(['Hello Bob'])
        const firstId = requests.items[0]!.id
        const read = await run('bob', ['read', firstId])
        expect(read.code).toBe(0)
        expect(read.stdout).toContain('Subject: Hello Bob')
        expect(read.stdout).toContain(`Peer:    ${alice}`)
        expect(read.stdout).toContain('First contact.')

        // Bob answers while Alice is online; the answer threads under her mail.
        const aliceSync = start('alice', [
          '--json',
          'sync',
          '--count',
          '1',
          '--timeout',
          SYNC_TIMEOUT,
        ])
        await aliceSync.waitFor('stderr', /Online as pm1/, 60_000)
        const replied = json(
          await run('bob', ['--json', 'reply', firstId, '--body', 'Hi Alice!', '--wait', WAIT]),
        ) as Sent
        await delivered('bob', replied, alice)
        const aliceGot = await aliceSync.exit(EXIT_MS)
        expect(aliceGot.code).toBe(0)
        const [answer] = summaries(aliceGot.stdout)
        expect(answer).toMatchObject({ subject: 'Re: Hello Bob', folder: 'inbox', peer: bob })
        const inbox = json(await run('alice', ['--json', 'list', '--folder', 'inbox'])) as Page
        expect(inbox.items.map((m) => m.id)).toEqual([answer!.id])
        const sentFolder = json(await run('alice', ['--json', 'list', '--folder', 'sent'])) as Page
        const original = sentFolder.items.find((m) => m.id === sent.id)!
        expect(inbox.items[0]!.threadId).toBe(original.threadId)
        const answered = json(await run('bob', ['--json', 'list', '--folder', 'requests'])) as Page
        expect(answered.items[0]!.flags.answered).toBe(true)

        expect(json(await run('alice', ['--json', 'status', sent.id])) as Sent).toEqual({
          id: sent.id,
          status: { [bob]: 'delivered' },
        })
        const overview = json(await run('alice', ['--json', 'status'])) as {
          folders: Record<string, { total: number }>
          outgoing: { waiting: number }
        }
        expect(overview.folders).toMatchObject({ inbox: { total: 1 }, sent: { total: 1 } })
        expect(overview.outgoing).toEqual({ waiting: 0, recipients: [] })

        // Accepting Alice moves her mail out of Requests.
        expect(json(await run('bob', ['--json', 'requests', 'accept', alice]))).toEqual({
          address: alice,
          moved: 1,
        })
        const bobInbox = json(await run('bob', ['--json', 'list', '--folder', 'inbox'])) as Page
        expect(bobInbox.items.map((m) => m.id)).toEqual([firstId])
        expect((json(await run('bob', ['--json', 'requests'])) as Page).items).toEqual([])

        // Safety numbers: a wrong one is refused, the right one verifies.
        const wrong = await run('alice', ['contacts', 'verify', bob, '0'.repeat(60)])
        expect(wrong.code).toBe(1)
        expect(wrong.stderr).toMatch(/^peermail: .*\[SAFETY_NUMBER_MISMATCH\]\n$/)
        const contacts = json(await run('alice', ['--json', 'contacts'])) as {
          address: string
          safetyNumber: string
        }[]
        const number = contacts.find((c) => c.address === bob)!.safetyNumber
        expect(number).toMatch(/^(\d{5} ){11}\d{5}$/)
        const verified = await run('alice', [
          '--json',
          'contacts',
          'verify',
          bob,
          ...number.split(' '),
        ])
        expect((json(verified) as { verified: boolean }).verified).toBe(true)

        // Nobody online to take it: the mail stays queued, which is not a failure.
        const carol = (json(await run('carol', ['--json', 'init'])) as { address: string }).address
        const queued = await run('alice', ['send', '--to', carol, '-s', 'Later', '--wait', '0'])
        expect(queued.code).toBe(0)
        expect(queued.stdout).toMatch(new RegExp(`queued +${carol}`))
        expect(queued.stdout).toContain(
          'queued: will be delivered the next time this account is online (peermail sync)',
        )

        // Forwarding attaches the original byte for byte (sent to oneself: no network wait).
        const forwarded = json(
          await run('alice', ['--json', 'forward', answer!.id, '--to', alice, '--wait', '0']),
        ) as Sent
        expect(forwarded.status).toEqual({ [alice]: 'delivered' })
        const out = join(tempDir, 'export')
        expect(
          (await run('alice', ['export', '--format', 'eml', '--folder', 'sent', '--out', out]))
            .code,
        ).toBe(0)
        const inboxOut = join(tempDir, 'export-inbox')
        expect(
          (
            await run('alice', [
              'export',
              '--format',
              'eml',
              '--folder',
              'inbox',
              '--out',
              inboxOut,
            ])
          ).code,
        ).toBe(0)
        const [answerFile] = await readdir(inboxOut)
        const answerRaw = await readFile(join(inboxOut, answerFile!))
        const sentFiles = await Promise.all(
          (await readdir(out)).map((name) => readFile(join(out, name))),
        )
        const fwd = sentFiles.find((raw) => raw.includes('Subject: Fwd: Re: Hello Bob'))!
        expect(fwd.toString()).toContain('Content-Type: message/rfc822')
        expect(fwd.includes(answerRaw)).toBe(true)
      } finally {
        for (const child of running) await child.stop()
        await net.close()
      }
    },
  )

  test('input mistakes: exit 2 for usage, 1 with the code for a bad address', async ({
    tempDir,
  }) => {
    const home = ['--home', join(tempDir, 'a'), '--bootstrap', '127.0.0.1:9']
    const init = await peermail([...home, '--json', 'init'], { env })
    const { address } = JSON.parse(init.stdout) as { address: string }
    // One character changed (to another z-base-32 one): the checksum catches it before going online.
    const alphabet = 'ybndrfg8ejkmcpqxot1uwisza345h769'
    const at = 10
    const swapped = alphabet[(alphabet.indexOf(address[at]!) + 1) % alphabet.length]!
    const typo = address.slice(0, at) + swapped + address.slice(at + 1)
    const bad = await peermail([...home, 'send', '--to', typo, '-s', 'x', '--body', 'y'], { env })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^peermail: .*\[ADDRESS_CHECKSUM\]\n$/)
    const ordinary = await peermail(
      [...home, 'send', '--to', 'bob@example.com', '-s', 'x', '--body', 'y'],
      { env },
    )
    expect(ordinary.code).toBe(1)
    expect(ordinary.stderr).toContain('[NOT_A_PEER_ADDRESS]')

    const noTo = await peermail([...home, 'send', '-s', 'x', '--body', 'y'], { env })
    expect(noTo.code).toBe(2)
    expect(noTo.stderr).toContain("required option '--to <address...>' not specified")
    const usage = [
      ['send', '--to', address, '-s', 'x', '--body', 'y', '--wait', 'soon'],
      ['sync', '--count', '0'],
      ['flag', '06h0265fc0pqw8v4587j2hav4g'],
      ['flag', '06h0265fc0pqw8v4587j2hav4g', '--seen', '--unseen'],
      ['contacts', 'verify', address, '123'],
      ['trash', 'one', 'two'],
      ['send', '--to', address, '-s', 'x', '--attach', join(tempDir, 'missing.pdf')],
    ]
    for (const args of usage) {
      const result = await peermail([...home, ...args], { env })
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).not.toBe('')
    }
    for (const value of ['nonsense', '127.0.0.1:0', '127.0.0.1:80,']) {
      const result = await peermail(['--home', join(tempDir, 'a'), '--bootstrap', value, 'list'], {
        env,
      })
      expect(result.code, value).toBe(2)
      expect(result.stderr).toContain('--bootstrap')
    }
    const fromEnv = await peermail(['--home', join(tempDir, 'a'), 'list'], {
      env: { ...env, PEERMAIL_BOOTSTRAP: 'bad:port' },
    })
    expect(fromEnv.code).toBe(2)
    expect(fromEnv.stderr).toContain('PEERMAIL_BOOTSTRAP')
    for (const command of ['send', 'reply', 'forward', 'sync', 'status', 'contacts', 'requests']) {
      const help = await peermail([command, '--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(/^Examples?:$/m)
    }
  })
})
