/**
 * The local API server in-process: two accounts on a loopback DHT, the server started on Bob's, and real
 * HTTP calls with fetch (the events over the Server-Sent Events stream, read with fetch too).
 */
import { request } from 'node:http'
import { describe, expect } from 'vitest'
import type { ApiEvent } from '../../../src/app/ipc/api.js'
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

/** Opens the event stream and hands back the events as they come, parsed. */
async function openEvents(server: LocalServer) {
  const controller = new AbortController()
  const res = await fetch(`http://127.0.0.1:${server.port}/api/events?token=${server.token}`, {
    signal: controller.signal,
  })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const events: ApiEvent[] = []
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += value
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = frame.split('\n').find((line) => line.startsWith('data: '))
        if (data) events.push(JSON.parse(data.slice(6)) as ApiEvent)
      }
    }
  })().catch(() => {})
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
      controller.abort()
      await pump
    },
  }
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
      const events = await fetch(`http://127.0.0.1:${server.port}/api/events?token=nope`)
      expect(events.status).toBe(401)
      await events.body?.cancel()

      const whoami = await api('whoami')
      expect(whoami.status).toBe(200)
      expect(whoami.body).toEqual({ ok: true, value: { address: bob.address } })
      expect(whoami.headers.get('cache-control')).toBe('no-store')
      expect(whoami.headers.get('x-content-type-options')).toBe('nosniff')

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
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
      expect(page.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/)
      expect(await page.text()).toMatch(/inbox UI is coming/)

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
})
