/**
 * The local API server in-process: two accounts on a loopback DHT, the server started on Bob's, and real
 * HTTP calls with fetch, the events over the WebSocket (the `ws` client, as a page would connect).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { WebSocket } from 'ws'
import {
  EVENTS_PATH,
  EVENTS_PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
  type ApiEvent,
} from '../../../src/app/ipc/api.js'
import { startLocalServer, type LocalServer } from '../../../src/app/main/index.js'
import type { Account } from '../../../src/client/index.js'
import { deliveryOf, nextMails, test } from '../../helpers/network.js'

interface Reply {
  status: number
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string } }
  headers: Headers
}

function apiOf(server: LocalServer) {
  const base = `http://127.0.0.1:${server.port}`
  return async (
    name: string,
    body: unknown = {},
    init: { token?: string | null; raw?: string } = {},
  ): Promise<Reply> => {
    const token = init.token === undefined ? server.token : init.token
    const res = await fetch(`${base}/api/${name}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      },
      body: init.raw ?? JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Reply['body'], headers: res.headers }
  }
}

/** Opens the event socket (token as a subprotocol, our own Origin) and collects the events, parsed. */
async function openEvents(server: LocalServer) {
  const socket = new WebSocket(
    `ws://127.0.0.1:${server.port}${EVENTS_PATH}`,
    [EVENTS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${server.token}`],
    { origin: `http://127.0.0.1:${server.port}` },
  )
  const events: ApiEvent[] = []
  socket.on('message', (data: Buffer) => {
    events.push(JSON.parse(data.toString()) as ApiEvent)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => {
      resolve()
    })
    socket.once('error', reject)
  })
  expect(socket.protocol).toBe(EVENTS_PROTOCOL)
  return {
    events,
    async next(match: (e: ApiEvent) => boolean, timeoutMs = 60_000): Promise<ApiEvent> {
      const started = Date.now()
      for (;;) {
        const found = events.find(match)
        if (found) return found
        if (Date.now() - started > timeoutMs) throw new Error('no matching event')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    async close() {
      if (socket.readyState === socket.CLOSED) return
      const closed = new Promise((resolve) => socket.once('close', resolve))
      socket.close()
      await closed
    },
  }
}

/** The HTTP status a WebSocket handshake is refused with (0 if it is accepted). */
function upgradeStatus(
  server: LocalServer,
  options: { protocols?: string[]; origin?: string; path?: string },
): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(
      `ws://127.0.0.1:${server.port}${options.path ?? EVENTS_PATH}`,
      options.protocols ?? [],
      options.origin === undefined ? {} : { origin: options.origin },
    )
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? -1)
      socket.terminate()
    })
    socket.on('open', () => {
      resolve(0)
      socket.close()
    })
    socket.on('error', () => {
      resolve(-1)
    })
  })
}

/** A call sent with a Host header of our choosing (fetch does not let one be forged). */
function statusWithHost(server: LocalServer, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: '/api/whoami',
        headers: {
          Host: host,
          Authorization: `Bearer ${server.token}`,
          'Content-Type': 'application/json',
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => {
          resolve(res.statusCode ?? 0)
        })
      },
    )
    req.on('error', reject)
    req.end('{}')
  })
}

async function serve(account: Account, servers: LocalServer[]): Promise<LocalServer> {
  const server = await startLocalServer({ account, host: '127.0.0.1', port: 0 })
  servers.push(server)
  return server
}

describe('local API server', () => {
  test('refuses callers without the token, and bad requests', async ({ network }) => {
    const bob = await network.open('bob')
    const servers: LocalServer[] = []
    try {
      const server = await serve(bob, servers)
      const api = apiOf(server)
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`)
      expect(Buffer.from(server.token, 'base64url')).toHaveLength(32)

      for (const token of [null, 'wrong', `${server.token}x`]) {
        const reply = await api('whoami', {}, { token })
        expect(reply.status).toBe(401)
        expect(reply.body).toEqual({
          ok: false,
          error: { code: 'API_UNAUTHORIZED', message: expect.any(String) as string },
        })
      }
      // The event socket: token (as a subprotocol) and our own Origin, or no handshake.
      const origin = `http://127.0.0.1:${server.port}`
      const token = `${TOKEN_PROTOCOL_PREFIX}${server.token}`
      expect(await upgradeStatus(server, { protocols: [EVENTS_PROTOCOL], origin })).toBe(401)
      expect(
        await upgradeStatus(server, { protocols: [EVENTS_PROTOCOL, 'token.nope'], origin }),
      ).toBe(401)
      expect(
        await upgradeStatus(server, {
          protocols: [EVENTS_PROTOCOL, token],
          origin: 'http://evil.example',
        }),
      ).toBe(403)
      expect(
        await upgradeStatus(server, { protocols: [EVENTS_PROTOCOL, token], origin: 'null' }),
      ).toBe(403)
      expect(
        await upgradeStatus(server, { protocols: [EVENTS_PROTOCOL, token], origin, path: '/x' }),
      ).toBe(404)
      expect(await upgradeStatus(server, { protocols: [EVENTS_PROTOCOL, token], origin })).toBe(0)

      const whoami = await api('whoami')
      expect(whoami.status).toBe(200)
      expect(whoami.body).toEqual({ ok: true, value: { address: bob.address } })
      expect(whoami.headers.get('cache-control')).toBe('no-store')
      expect(whoami.headers.get('x-content-type-options')).toBe('nosniff')

      // The status bar's view of the network: on the loopback testnet the DHT answers.
      const network = await api('connectivity')
      expect(network.body).toMatchObject({
        ok: true,
        value: { online: true, relays: [], outgoing: { waiting: 0, recipients: [] } },
      })
      expect((await api('connectivity', { extra: 1 })).status).toBe(400)

      const unknown = await api('exportKeys')
      expect(unknown.status).toBe(404)
      expect(unknown.body.error?.code).toBe('API_UNKNOWN_CALL')

      // Oversized: over 64 KB for an ordinary call, refused before it is read.
      const big = await api('search', { query: 'x'.repeat(100_000) })
      expect(big.status).toBe(413)
      expect(big.body.error?.code).toBe('API_BODY_TOO_LARGE')

      const notJson = await api('whoami', undefined, { raw: '{nope' })
      expect(notJson.status).toBe(400)
      expect(notJson.body.error?.code).toBe('API_BAD_REQUEST')

      // Not our Host: a DNS-rebinding page cannot use the API even with a stolen token.
      expect(await statusWithHost(server, 'evil.example')).toBe(403)
      expect(await statusWithHost(server, `localhost:${server.port}`)).toBe(200)

      const page = await fetch(`http://127.0.0.1:${server.port}/`)
      expect(page.status).toBe(200)
      const csp = page.headers.get('content-security-policy') ?? ''
      expect(csp).toMatch(/default-src 'none'/)
      expect(csp).not.toMatch(/script-src[^;]*(unsafe|http|\*)/)
      expect(csp).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/)
      expect(csp).toMatch(/frame-ancestors 'none'/)
      expect(await page.text()).toMatch(/<title>Peermail<\/title>/)
      // Without a built UI the page says how to build it (and the API still answers).
      const emptyUi = await mkdtemp(join(tmpdir(), 'peermail-no-ui-'))
      try {
        const bare = await startLocalServer({ account: bob, uiDir: emptyUi })
        servers.push(bare)
        const missing = await fetch(`http://127.0.0.1:${bare.port}/`)
        expect(await missing.text()).toMatch(/not built/)
        expect(missing.headers.get('content-security-policy')).toMatch(/^default-src 'none'/)
      } finally {
        await rm(emptyUi, { recursive: true, force: true })
      }
      // Only the built files are served: no path is ever joined from a URL.
      for (const path of ['/../package.json', '/%2e%2e/package.json', '/api'])
        expect((await fetch(`http://127.0.0.1:${server.port}${path}`)).status).not.toBe(200)

      const bad: [string, unknown][] = [
        ['listMessages', { folder: 7 }],
        ['listMessages', { folder: 'inbox', limit: 100_000 }],
        ['listMessages', { folder: 'inbox', extra: true }],
        ['readMessage', { id: '../../etc/passwd' }],
        ['search', { query: '' }],
        ['send', { to: 42, subject: 'x' }],
        ['send', { to: 'x', subject: 'x', attachments: [{ filename: 'a', contentBase64: '!!' }] }],
        ['flag', { id: '0'.repeat(26), seen: 'yes' }],
        ['whoami', []],
      ]
      for (const [name, body] of bad) {
        const reply = await api(name, body)
        expect(reply.status, `${name} ${JSON.stringify(body)}`).toBe(400)
        expect(reply.body.ok).toBe(false)
        expect(reply.body.error?.code).toBe('INVALID_INPUT')
        expect(JSON.stringify(reply.body)).not.toMatch(/\bat .*\.ts:\d+/)
      }
      expect(await bob.mailbox.counts()).toEqual((await api('counts')).body.value)
      expect((await bob.mailbox.page({ folder: 'sent' })).items).toEqual([])
    } finally {
      for (const server of servers) await server.close()
    }
  })

  test('mail arrives over the event stream; read, search, move, flag and send round-trip', async ({
    network,
  }) => {
    const [alice, bob] = await Promise.all([network.open('alice'), network.open('bob')])
    const servers: LocalServer[] = []
    const server = await serve(bob, servers)
    const stream = await openEvents(server)
    try {
      const api = apiOf(server)
      await bob.mailbox.store.contacts.put(alice.address)
      const { id: sentId } = await alice.send({
        to: bob.address,
        subject: 'Quarterly lighthouse report',
        text: 'The lamp is fine.',
        attachments: [{ filename: 'log.txt', content: Buffer.from('beam ok\n') }],
      })
      const event = await stream.next((e) => e.type === 'mail')
      if (event.type !== 'mail') throw new Error('expected a mail event')
      const id = event.summary.id
      expect(event.summary.subject).toBe('Quarterly lighthouse report')
      expect(event.summary.peer).toBe(alice.address)

      const list = await api('listMessages', { folder: event.summary.folder, limit: 10 })
      expect(list.status).toBe(200)
      expect((list.body.value as { items: { id: string }[] }).items.map((m) => m.id)).toContain(id)

      const read = await api('readMessage', { id })
      const message = read.body.value as {
        text: string
        attachments: { index: number; filename: string; size: number }[]
      }
      expect(message.text.trim()).toBe('The lamp is fine.')
      expect(message.attachments).toEqual([
        expect.objectContaining({ index: 0, filename: 'log.txt', size: 8 }),
      ])
      expect(JSON.stringify(message)).not.toMatch(/"content"/)
      const attachment = await api('attachment', { id, index: 0 })
      expect(
        Buffer.from((attachment.body.value as { contentBase64: string }).contentBase64, 'base64'),
      ).toEqual(Buffer.from('beam ok\n'))
      expect((await api('attachment', { id, index: 5 })).status).toBe(400)

      const found = await api('search', { query: 'lighthouse' })
      expect((found.body.value as { items: { id: string }[] }).items.map((m) => m.id)).toEqual([id])

      // A failed move changes nothing; a good one moves it.
      const missing = await api('move', { id, folder: 'no-such-folder' })
      expect(missing.status).toBe(404)
      expect(missing.body.error?.code).toBe('FOLDER_NOT_FOUND')
      expect((await bob.mailbox.read(id)).folder).toBe(event.summary.folder)
      const moved = await api('move', { id, folder: 'archive' })
      expect(moved.body).toMatchObject({ ok: true, value: { id, folder: 'archive' } })

      const flagged = await api('flag', { id, seen: true, flagged: true })
      expect(flagged.body).toMatchObject({
        ok: true,
        value: { flags: { seen: true, flagged: true } },
      })
      expect((await bob.mailbox.read(id)).flags).toMatchObject({ seen: true, flagged: true })

      const contacts = await api('contacts')
      expect(contacts.body.value).toEqual([
        expect.objectContaining({ address: alice.address, blocked: false }),
      ])
      expect(JSON.stringify(contacts.body)).not.toMatch(/identityKey/)

      // Sending through the API: Alice receives it, Bob's stream reports the delivery.
      const arriving = nextMails(alice)
      const sent = await api('send', {
        to: alice.address,
        subject: 'Re: Quarterly lighthouse report',
        text: 'Thanks.',
        inReplyTo: id,
        attachments: [
          { filename: 'a.bin', contentBase64: Buffer.from([1, 2, 3]).toString('base64') },
        ],
      })
      expect(sent.status).toBe(200)
      const replyId = (sent.body.value as { id: string }).id
      const [received] = await arriving
      expect(received?.subject).toBe('Re: Quarterly lighthouse report')
      await stream.next(
        (e) => e.type === 'delivery' && e.update.id === replyId && e.update.state === 'delivered',
      )
      const status = await api('status', { id: replyId })
      expect(status.body).toEqual({ ok: true, value: { [alice.address]: 'delivered' } })
      await deliveryOf(alice, sentId, bob.address)

      const trashed = await api('trash', { id })
      expect(trashed.body).toMatchObject({ ok: true, value: { folder: 'trash' } })
    } finally {
      await stream.close()
      for (const s of servers) await s.close()
    }
  })

  test('the calls the inbox UI adds: folders, threads, drafts, contacts and verification', async ({
    network,
  }) => {
    const [alice, bob] = await Promise.all([network.open('alice'), network.open('bob')])
    const servers: LocalServer[] = []
    try {
      const api = apiOf(await serve(bob, servers))

      // Folders: the built-ins, then the user's own.
      const created = await api('createFolder', { name: 'Projects' })
      expect(created.body).toEqual({
        ok: true,
        value: { name: 'Projects', builtin: false, total: 0, unread: 0 },
      })
      expect((await api('createFolder', { name: 'Projects' })).status).toBe(409)
      const folders = (await api('folders')).body.value as { name: string; builtin: boolean }[]
      expect(folders.map((f) => f.name)).toEqual([
        'inbox',
        'requests',
        'sent',
        'drafts',
        'archive',
        'spam',
        'trash',
        'Projects',
      ])

      // Drafts: saved, replaced by a newer version, deleted; half-typed recipients are kept out.
      const first = await api('saveDraft', {
        to: [alice.address, 'not an addr'],
        subject: 'Plans',
        text: 'First thoughts',
      })
      expect(first.status).toBe(200)
      const draft1 = first.body.value as { id: string; folder: string; to: { address: string }[] }
      expect(draft1.folder).toBe('drafts')
      expect(draft1.to.map((t) => t.address)).toEqual([`${alice.address}@peermail.invalid`])
      const second = await api('saveDraft', {
        to: [alice.address],
        subject: 'Plans',
        text: 'Second thoughts',
        replaces: draft1.id,
      })
      const draft2 = second.body.value as { id: string }
      const drafts = await api('listMessages', { folder: 'drafts' })
      expect((drafts.body.value as { items: { id: string }[] }).items.map((m) => m.id)).toEqual([
        draft2.id,
      ])
      const read = await api('readMessage', { id: draft2.id })
      expect((read.body.value as { text: string }).text.trim()).toBe('Second thoughts')
      expect((await api('saveDraft', { subject: 'x', replaces: 'nope' })).status).toBe(400)
      expect((await api('saveDraft', { subject: 'a\r\nBcc: evil@example.com' })).status).toBe(200)

      // Threads: a sent mail and its answer are one conversation.
      const aliceGets = nextMails(alice)
      const { id: sentId } = (
        await api('send', { to: alice.address, subject: 'Lunch?', text: 'Noon?' })
      ).body.value as { id: string }
      const [aliceCopy] = await aliceGets
      const sentSummary = (await api('readMessage', { id: sentId })).body.value as {
        threadId: string
      }
      const arriving = nextMails(bob)
      await alice.send({
        to: bob.address,
        subject: 'Re: Lunch?',
        text: 'Yes',
        inReplyTo: aliceCopy!.id,
      })
      await arriving
      const thread = await api('thread', { threadId: sentSummary.threadId })
      const subjects = (thread.body.value as { items: { subject: string }[] }).items.map(
        (m) => m.subject,
      )
      expect(subjects.sort()).toEqual(['Lunch?', 'Re: Lunch?'])
      expect((await api('thread', { threadId: '' })).status).toBe(400)

      // A draft can be deleted; nothing else can through this call.
      expect((await api('deleteDraft', { id: draft2.id })).body).toEqual({
        ok: true,
        value: { deleted: true },
      })
      const notDraft = await api('deleteDraft', { id: sentId })
      expect(notDraft.status).toBe(400)
      expect(notDraft.body.error?.code).toBe('INVALID_INPUT')
      expect((await api('readMessage', { id: sentId })).status).toBe(200)

      // Contacts: petname, the safety number both sides compute, verification checked server-side.
      const added = await api('addContact', { address: alice.address, petname: 'Alice' })
      const contact = added.body.value as {
        petname: string
        safetyNumber: string
        verified: boolean
      }
      expect(contact).toMatchObject({ petname: 'Alice', verified: false })
      expect(contact.safetyNumber.replace(/\s+/g, '')).toMatch(/^\d{60}$/)
      const aliceApi = apiOf(await serve(alice, servers))
      const fromAlice = (await aliceApi('contacts')).body.value as {
        address: string
        safetyNumber: string
      }[]
      expect(fromAlice.find((c) => c.address === bob.address)?.safetyNumber).toBe(
        contact.safetyNumber,
      )
      const wrong = contact.safetyNumber.replace(/\d/, (d) => String((Number(d) + 1) % 10))
      const mismatch = await api('verifyContact', { address: alice.address, safetyNumber: wrong })
      expect(mismatch.status).toBe(400)
      expect(mismatch.body.error?.code).toBe('SAFETY_NUMBER_MISMATCH')
      expect((await bob.mailbox.store.contacts.get(alice.address))?.verified).toBe(false)
      const verified = await api('verifyContact', {
        address: alice.address,
        safetyNumber: contact.safetyNumber,
      })
      expect(verified.body).toMatchObject({ ok: true, value: { verified: true } })
      expect((await api('addContact', { address: 'bob@example.com' })).status).toBe(400)
      expect(
        (await api('addContact', { address: alice.address, petname: 'x'.repeat(101) })).status,
      ).toBe(400)
      expect(JSON.stringify((await api('contacts')).body)).not.toMatch(/identityKey/)
    } finally {
      for (const server of servers) await server.close()
    }
  })
})
