import { join } from 'node:path'
import { createTransport } from 'nodemailer'
import { describe, expect } from 'vitest'
import { startLocalSubmission } from '../../../src/client/local-submission.js'
import { appPasswordDigest } from '../../../src/crypto/index.js'
import {
  renewSubmissionPassword,
  revokeSubmissionPassword,
} from '../../../src/client/submission-password.js'
import { deliveryOf, nextMails, test } from '../../helpers/network.js'

const at = (address: string) => `${address}@peermail.invalid`

/** A mail client on this machine, logging in as `user` (or not at all). */
function client(port: number, auth?: { user: string; pass: string }) {
  return createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    ...(auth ? { auth } : {}),
  })
}

/** The SMTP reply a refused send got: its code and text. */
async function refusal(send: Promise<unknown>): Promise<{ code: number; text: string }> {
  try {
    await send
  } catch (err) {
    const { responseCode, response, message } = err as {
      responseCode?: number
      response?: string
      message: string
    }
    return { code: responseCode ?? 0, text: response ?? message }
  }
  throw new Error('the send was accepted')
}

describe('local SMTP submission', () => {
  test('a mail client sends as the account: peers get it, Bcc stays hidden, Sent keeps it', async ({
    network,
  }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')
    const carol = await network.open('carol')
    const pass = await renewSubmissionPassword(alice)
    const server = await startLocalSubmission(alice)
    const transport = client(server.port, { user: alice.address, pass })
    try {
      const toBob = nextMails(bob)
      const toCarol = nextMails(carol)
      const info = await transport.sendMail({
        from: `Alice <${at(alice.address)}>`,
        to: `Bob <${at(bob.address)}>`,
        bcc: at(carol.address),
        subject: 'Sent from Thunderbird',
        text: 'through local submission',
        attachments: [{ filename: 'notes.txt', content: 'attached bytes' }],
      })
      const id = /stored in Sent as (\S+)/.exec(info.response)?.[1]
      expect(id).toBeDefined()

      const [mail] = await toBob
      expect(mail).toMatchObject({ subject: 'Sent from Thunderbird', peer: alice.address })
      const read = await bob.mailbox.read(mail?.id ?? '')
      expect(read.text?.trim()).toBe('through local submission')
      expect(read.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
        ['notes.txt', 'attached bytes'],
      ])
      // Carol got it as a Bcc recipient, and nothing in Bob's copy names her.
      const [hidden] = await toCarol
      expect(hidden?.subject).toBe('Sent from Thunderbird')
      const raw = (await bob.mailbox.store.raw(mail?.id ?? '')).toString('latin1')
      expect(raw).not.toContain(carol.address)
      expect(raw).not.toMatch(/^bcc:/im)
      expect(raw).toMatch(new RegExp(`^From: <${at(alice.address)}>\\r$`, 'm'))

      const [sent] = await alice.mailbox.list({ folder: 'sent' })
      expect(sent).toMatchObject({ id, subject: 'Sent from Thunderbird' })
      await deliveryOf(alice, id ?? '', bob.address)
    } finally {
      transport.close()
      await server.close()
    }
  })

  test('it refuses strangers, other senders, unreachable recipients and a revoked password', async ({
    network,
  }) => {
    const alice = await network.open('alice')
    const bob = await network.open('bob')
    const server = await startLocalSubmission(alice)
    const mail = { from: at(alice.address), to: at(bob.address), subject: 'x', text: 'y' }
    const as = (pass: string) => client(server.port, { user: alice.address, pass })
    try {
      // No app password yet: nobody can log in, and the reply says how to make one.
      let refused = await refusal(as('anything').sendMail(mail))
      expect(refused.code).toBe(535)
      expect(refused.text).toContain('peermail smtp-password')

      const pass = await renewSubmissionPassword(alice)
      expect((await refusal(as('wrong').sendMail(mail))).code).toBe(535)
      expect((await refusal(client(server.port).sendMail(mail))).code).toBe(530)
      // Another user name with the right password is still refused.
      const other = client(server.port, { user: bob.address, pass })
      expect((await refusal(other.sendMail(mail))).code).toBe(535)

      const good = as(pass)
      refused = await refusal(
        good.sendMail({ ...mail, envelope: { from: at(bob.address), to: [at(bob.address)] } }),
      )
      expect(refused.code).toBe(550)
      expect(refused.text).toContain(at(alice.address))
      // The envelope is hers but the From field claims Bob.
      refused = await refusal(
        good.sendMail({
          ...mail,
          from: at(bob.address),
          envelope: { from: at(alice.address), to: [at(bob.address)] },
        }),
      )
      expect(refused.code).toBe(550)
      expect(refused.text).toContain('must be from this account')
      refused = await refusal(good.sendMail({ ...mail, to: 'carol@example.net' }))
      expect(refused.code).toBe(550)
      expect(refused.text).toContain('alias on a bridge')
      good.close()
      expect(await alice.mailbox.list({ folder: 'sent' })).toEqual([])

      await revokeSubmissionPassword(alice)
      expect((await refusal(as(pass).sendMail(mail))).code).toBe(535)
    } finally {
      await server.close()
    }
  })

  test('after too many failed logins every login waits, the right password too', async ({
    network,
  }) => {
    const alice = await network.open('alice')
    let now = 1_000_000
    const server = await startLocalSubmission(alice, { failedLoginsPerMinute: 2, now: () => now })
    const pass = await renewSubmissionPassword(alice)
    const mail = { from: at(alice.address), to: at(alice.address), subject: 'x', text: 'y' }
    const as = (p: string) => client(server.port, { user: alice.address, pass: p })
    try {
      expect((await refusal(as('guess 1').sendMail(mail))).code).toBe(535)
      expect((await refusal(as('guess 2').sendMail(mail))).code).toBe(535)
      expect((await refusal(as(pass).sendMail(mail))).code).toBe(454)
      now += 61_000
      const info = await as(pass).sendMail(mail)
      expect(info.response).toMatch(/^250 /)
    } finally {
      await server.close()
    }
  })

  test('the app password survives a restart and is on disk only as a digest in the encrypted mailbox', async ({
    network,
  }) => {
    let alice = await network.open('alice')
    const pass = await renewSubmissionPassword(alice)
    await alice.close()
    const { readdir, readFile } = await import('node:fs/promises')
    const home = join(network.dir, 'alice')
    const files = (await readdir(home, { recursive: true, withFileTypes: true })).filter((f) =>
      f.isFile(),
    )
    const digest = appPasswordDigest(pass)
    for (const file of files) {
      const bytes = await readFile(join(file.parentPath, file.name))
      expect(bytes.includes(pass), file.name).toBe(false)
      expect(bytes.includes(pass.replaceAll('-', '')), file.name).toBe(false)
      expect(bytes.includes(digest), file.name).toBe(false)
      expect(bytes.includes(Buffer.from(digest, 'hex')), file.name).toBe(false)
    }
    alice = await network.open('alice')
    const server = await startLocalSubmission(alice)
    try {
      const mail = { from: at(alice.address), to: at(alice.address), subject: 'x', text: 'y' }
      const info = await client(server.port, { user: alice.address, pass }).sendMail(mail)
      expect(info.response).toMatch(/^250 /)
    } finally {
      await server.close()
    }
  })

  test('it listens on loopback only', async ({ network }) => {
    const alice = await network.open('alice')
    await expect(startLocalSubmission(alice, { host: '0.0.0.0' })).rejects.toThrow(/127\.0\.0\.1/)
  })
})
