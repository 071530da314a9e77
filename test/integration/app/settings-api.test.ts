/**
 * The Settings calls of the local API over real HTTP: relays, bridge aliases (against a real bridge on the
 * loopback DHT), the recovery phrase behind a passphrase and a rate limit, the per-sender remote-content
 * allow list (kept in the settings file across restarts), the mail apps' SMTP password, and Bcc kept in
 * drafts.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { WebSocket } from 'ws'
import { EVENTS_PATH, EVENTS_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../../src/app/ipc/api.js'
import { PHRASE_ATTEMPTS } from '../../../src/app/main/handler.js'
import { startLocalServer, type LocalServer } from '../../../src/app/main/index.js'
import { readSettings, type Account } from '../../../src/client/index.js'
import { isSubmissionPassword } from '../../../src/client/submission-password.js'
import { DOMAIN, startBridge } from '../../helpers/bridge/bridge.js'
import { test } from '../../helpers/network.js'

interface Reply {
  status: number
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string } }
}

async function serve(account: Account, servers: LocalServer[]) {
  const server = await startLocalServer({ account, host: '127.0.0.1', port: 0 })
  servers.push(server)
  return async (name: string, body: unknown = {}): Promise<Reply> => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Reply['body'] }
  }
}

describe('settings calls of the local API', () => {
  test('relays: listed, added, removed, validated, written where the CLI reads them', async ({
    network,
  }) => {
    const [bob, relay] = await Promise.all([network.open('bob'), network.open('relay')])
    const servers: LocalServer[] = []
    try {
      const api = await serve(bob, servers)
      expect((await api('relays')).body).toEqual({ ok: true, value: { relays: [], max: 8 } })
      const added = await api('addRelay', { address: `${relay.address}@peermail.invalid` })
      expect(added.body).toEqual({ ok: true, value: { relays: [relay.address], max: 8 } })
      expect((await readSettings(bob.home)).relays).toEqual([relay.address])
      // Adding twice changes nothing; a non-Peermail address and extra fields are refused.
      expect((await api('addRelay', { address: relay.address })).body.value).toEqual({
        relays: [relay.address],
        max: 8,
      })
      const bad = await api('addRelay', { address: 'relay@example.com' })
      expect(bad.status).toBe(400)
      expect(bad.body.error?.code).toBe('INVALID_INPUT')
      expect((await api('addRelay', { address: relay.address, extra: 1 })).status).toBe(400)
      expect((await api('removeRelay', { address: relay.address })).body.value).toEqual({
        relays: [],
        max: 8,
      })
      // Removing one that is not there is an error, as in the CLI.
      expect((await api('removeRelay', { address: relay.address })).status).toBe(400)
      expect((await readSettings(bob.home)).relays).toEqual([])
    } finally {
      for (const server of servers) await server.close()
    }
  })

  test('aliases: asked of a real bridge, listed, given up; bad input refused', async ({
    network,
  }) => {
    const bridge = await startBridge(network)
    const servers: LocalServer[] = []
    try {
      const bob = await network.open('bob')
      const api = await serve(bob, servers)
      expect((await api('aliases')).body).toEqual({ ok: true, value: [] })
      const added = await api('addAlias', { alias: `Bob@${DOMAIN}`, bridge: bridge.address })
      expect(added.body).toEqual({
        ok: true,
        value: [{ alias: `bob@${DOMAIN}`, bridge: bridge.address }],
      })
      expect(bridge.aliases().map((a) => a.alias)).toEqual([`bob@${DOMAIN}`])
      const wrongDomain = await api('addAlias', { alias: 'bob@other.test', bridge: bridge.address })
      expect(wrongDomain.status).toBe(400)
      expect(wrongDomain.body.error?.code).toBe('BRIDGE_ALIAS_REFUSED')
      expect((await api('addAlias', { alias: `x@${DOMAIN}`, bridge: 'nope' })).status).toBe(400)
      expect(
        (await api('addAlias', { alias: 'x'.repeat(300), bridge: bridge.address })).status,
      ).toBe(400)
      expect((await api('removeAlias', { alias: `bob@${DOMAIN}` })).body).toEqual({
        ok: true,
        value: [],
      })
      expect(bridge.aliases()).toEqual([])
    } finally {
      for (const server of servers) await server.close()
      await bridge.close()
    }
  })

  test('the recovery phrase: only for the right passphrase, a few tries a minute, never as an event', async ({
    network,
  }) => {
    const bob = await network.open('bob')
    const created = bob.recoveryPhrase
    expect(created).toBeDefined()
    const servers: LocalServer[] = []
    const frames: string[] = []
    let socket: WebSocket | undefined
    try {
      const api = await serve(bob, servers)
      const server = servers[0] as LocalServer
      socket = new WebSocket(
        `ws://127.0.0.1:${server.port}${EVENTS_PATH}`,
        [EVENTS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${server.token}`],
        { origin: `http://127.0.0.1:${server.port}` },
      )
      socket.on('message', (data: Buffer) => frames.push(data.toString()))
      await new Promise((resolve, reject) => {
        socket?.once('open', resolve)
        socket?.once('error', reject)
      })

      expect((await api('recoveryPhrase', {})).status).toBe(400)
      expect((await api('recoveryPhrase', { passphrase: '' })).status).toBe(400)
      const wrong = await api('recoveryPhrase', { passphrase: 'not-it' })
      expect(wrong.status).toBe(400)
      expect(wrong.body.error?.code).toBe('VAULT_WRONG_PASSPHRASE')
      const right = await api('recoveryPhrase', { passphrase: 'pass-bob' })
      expect(right.body).toEqual({ ok: true, value: { phrase: created } })
      expect((created ?? '').split(' ')).toHaveLength(24)
      // Invalid requests above were refused before counting; two real tries so far, one left.
      expect(PHRASE_ATTEMPTS.max).toBe(3)
      expect((await api('recoveryPhrase', { passphrase: 'again-wrong' })).status).toBe(400)
      const limited = await api('recoveryPhrase', { passphrase: 'pass-bob' })
      expect(limited.status).toBe(429)
      expect(limited.body.error?.code).toBe('API_RATE_LIMITED')
      expect(JSON.stringify(limited.body)).not.toContain(created)
      // Other calls go on as before, and no event ever carried the phrase.
      expect((await api('whoami')).status).toBe(200)
      expect(frames.length).toBeGreaterThan(0)
      expect(frames.join('\n')).not.toContain(created)
    } finally {
      socket?.close()
      for (const server of servers) await server.close()
    }
  })

  test('the mail apps password: made after the passphrase (tries shared with the phrase), shown once, removed', async ({
    network,
  }) => {
    const bob = await network.open('bob')
    const servers: LocalServer[] = []
    try {
      const api = await serve(bob, servers)
      // This server runs no submission: Settings says so (no `listening`).
      expect((await api('smtpSubmission')).body).toEqual({
        ok: true,
        value: { user: bob.address, hasPassword: false },
      })
      expect((await api('renewSmtpPassword', {})).status).toBe(400)
      const wrong = await api('renewSmtpPassword', { passphrase: 'not-it' })
      expect(wrong.body.error?.code).toBe('VAULT_WRONG_PASSPHRASE')
      expect((await api('smtpSubmission')).body.value).toMatchObject({ hasPassword: false })
      const made = await api('renewSmtpPassword', { passphrase: 'pass-bob' })
      const value = made.body.value as { password: string; hasPassword: boolean; user: string }
      expect(value).toMatchObject({ user: bob.address, hasPassword: true })
      expect(await isSubmissionPassword(bob, value.password)).toBe(true)
      // Shown once: the status call never answers it.
      const status = await api('smtpSubmission')
      expect(status.body.value).toEqual({ user: bob.address, hasPassword: true })
      expect(JSON.stringify(status.body)).not.toContain(value.password)
      // Two tries so far: the third is the last in this minute, for the phrase as for this.
      expect((await api('recoveryPhrase', { passphrase: 'nope' })).status).toBe(400)
      expect((await api('renewSmtpPassword', { passphrase: 'pass-bob' })).status).toBe(429)
      expect((await api('revokeSmtpPassword')).body.value).toEqual({
        user: bob.address,
        hasPassword: false,
      })
      expect(await isSubmissionPassword(bob, value.password)).toBe(false)

      // A server that runs submission says where.
      const listening = await startLocalServer({
        account: bob,
        host: '127.0.0.1',
        port: 0,
        submission: { host: '127.0.0.1', port: 1587 },
      })
      servers.push(listening)
      const res = await fetch(`http://127.0.0.1:${listening.port}/api/smtpSubmission`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${listening.token}` },
        body: '{}',
      })
      expect(((await res.json()) as Reply['body']).value).toEqual({
        user: bob.address,
        hasPassword: false,
        listening: { host: '127.0.0.1', port: 1587 },
      })
    } finally {
      for (const server of servers) await server.close()
    }
  })

  test('remote content: allowed per sender, revoked, validated, kept across a restart', async ({
    network,
  }) => {
    let bob = await network.open('bob')
    const alice = await network.open('alice')
    const servers: LocalServer[] = []
    try {
      let api = await serve(bob, servers)
      expect((await api('remoteContent')).body).toEqual({ ok: true, value: { senders: [] } })
      const allow = await api('setRemoteContent', {
        sender: 'News@Example.COM',
        allowed: true,
      })
      expect(allow.body).toEqual({ ok: true, value: { senders: ['news@example.com'] } })
      await api('setRemoteContent', {
        sender: `${alice.address}@peermail.invalid`,
        allowed: true,
      })
      // Allowing twice keeps one entry.
      await api('setRemoteContent', { sender: 'news@example.com', allowed: true })
      expect((await readSettings(bob.home)).remoteContent).toEqual([
        'news@example.com',
        alice.address,
      ])
      for (const body of [
        { sender: 'not an address', allowed: true },
        { sender: 'a@b.example', allowed: 'yes' },
        { sender: 'a@b.example' },
        { sender: 'a@b.example\r\nX: y', allowed: true },
        { sender: 'x'.repeat(600), allowed: true },
      ]) {
        const refused = await api('setRemoteContent', body)
        expect(refused.status, JSON.stringify(body)).toBe(400)
      }
      // Survives the account closing and opening again.
      for (const server of servers.splice(0)) await server.close()
      await bob.close()
      bob = await network.open('bob')
      api = await serve(bob, servers)
      expect((await api('remoteContent')).body.value).toEqual({
        senders: ['news@example.com', alice.address],
      })
      const revoked = await api('setRemoteContent', { sender: alice.address, allowed: false })
      expect(revoked.body.value).toEqual({ senders: ['news@example.com'] })
      const file = JSON.parse(await readFile(join(bob.home, 'settings.json'), 'utf8')) as unknown
      expect(file).toEqual({ relays: [], remoteContent: ['news@example.com'] })
      // Changes made at the same moment all land: none is undone by a write that read before it.
      const senders = ['a@one.example', 'b@two.example', 'c@three.example']
      await Promise.all([
        ...senders.map((sender) => api('setRemoteContent', { sender, allowed: true })),
        api('addRelay', { address: alice.address }),
      ])
      expect(await readSettings(bob.home)).toEqual({
        relays: [alice.address],
        remoteContent: expect.arrayContaining(['news@example.com', ...senders]) as string[],
      })
      expect((await readSettings(bob.home)).remoteContent).toHaveLength(4)
    } finally {
      for (const server of servers) await server.close()
    }
  })

  test('regression: Bcc is kept when a draft is saved and read back (it was dropped by the composer)', async ({
    network,
  }) => {
    const [alice, bob, carol] = await Promise.all([
      network.open('alice'),
      network.open('bob'),
      network.open('carol'),
    ])
    const servers: LocalServer[] = []
    try {
      const api = await serve(bob, servers)
      const saved = await api('saveDraft', {
        to: [alice.address],
        bcc: [carol.address, 'boss@example.com'],
        subject: 'Quietly',
        text: 'Carol and the boss get a blind copy',
      })
      const id = (saved.body.value as { id: string }).id
      const read = (await api('readMessage', { id })).body.value as {
        bcc: { address: string }[]
        to: { address: string }[]
      }
      expect(read.bcc.map((a) => a.address)).toEqual([
        `${carol.address}@peermail.invalid`,
        'boss@example.com',
      ])
      expect(read.to.map((a) => a.address)).toEqual([`${alice.address}@peermail.invalid`])
    } finally {
      for (const server of servers) await server.close()
    }
  })
})
