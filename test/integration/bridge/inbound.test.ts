import { createTransport } from 'nodemailer'
import { describe, expect } from 'vitest'
import type { Account, Bridge } from '../../../src/index.js'
import {
  bytesUnder,
  DKIM_SELECTOR,
  DOMAIN,
  SENDER_DOMAIN,
  senderDkim,
  startBridge,
} from '../../helpers/bridge/bridge.js'
import { SmtpDialog, selfSignedCert, smtpClient } from '../../helpers/bridge/smtp.js'
import { nextMails, test, type TestNetwork } from '../../helpers/network.js'

const ALICE = `alice@${DOMAIN}`
const CAROL = `carol@${SENDER_DOMAIN}`

/** Alice's account with `alice@bridge.test` on `bridge`. */
async function aliceOn(network: TestNetwork, bridge: Bridge): Promise<Account> {
  const alice = await network.open('alice')
  await alice.addAlias(ALICE, bridge.address)
  return alice
}

/** The SMTP reply code of a failed nodemailer send. */
async function refusal(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise
  } catch (err) {
    return (err as { responseCode?: number }).responseCode
  }
  throw new Error('the bridge accepted what it should have refused')
}

function rawDialogMessage(body: string): string {
  return `From: <${CAROL}>\r\nTo: <${ALICE}>\r\nSubject: by hand\r\n\r\n${body}`
}

describe('bridge: inbound SMTP', () => {
  test('mail to an alias arrives intact in the inbox, authenticated, from its real sender', async ({
    network,
  }) => {
    const bridge = await startBridge(network)
    try {
      const alice = await aliceOn(network, bridge)
      const arriving = nextMails(alice)
      const client = smtpClient(bridge.smtpPort)
      const info = await client.sendMail({
        from: `Carol <${CAROL}>`,
        to: ALICE,
        subject: 'Hello from the old world',
        text: 'plain part',
        html: '<p>html <b>part</b></p>',
        headers: { 'X-Test-Header': 'kept' },
        attachments: [{ filename: 'notes.txt', content: Buffer.from('attached bytes') }],
        dkim: {
          domainName: SENDER_DOMAIN,
          keySelector: DKIM_SELECTOR,
          privateKey: senderDkim.privateKey,
        },
      })
      client.close()
      expect(info.response).toMatch(/^250 /)

      const [mail] = await arriving
      expect(mail?.folder).toBe('inbox')
      expect(mail?.from[0]?.address).toBe(CAROL)
      expect(mail?.peer).toBe(bridge.address)
      const read = await alice.mailbox.read(mail?.id ?? '')
      expect(read.subject).toBe('Hello from the old world')
      expect(read.text?.trim()).toBe('plain part')
      expect(read.html).toContain('<b>part</b>')
      expect(read.attachments[0]?.content.toString()).toBe('attached bytes')
      const raw = (await alice.mailbox.store.raw(mail?.id ?? '')).toString()
      expect(raw).toContain('X-Test-Header: kept')
      const results = raw.slice(0, raw.indexOf('\r\n\r\n'))
      expect(results).toMatch(/Authentication-Results: bridge\.test;/)
      expect(results).toMatch(/spf=pass/)
      expect(results).toMatch(/dkim=pass/)
      expect(results).toMatch(/dmarc=pass/)
    } finally {
      await bridge.close()
    }
  })

  test('a forged Authentication-Results in our name is dropped; unsigned mail says so', async ({
    network,
  }) => {
    const bridge = await startBridge(network)
    try {
      const alice = await aliceOn(network, bridge)
      const arriving = nextMails(alice)
      const client = smtpClient(bridge.smtpPort)
      await client.sendMail({
        from: CAROL,
        to: ALICE,
        subject: 'trust me',
        text: 'no signature here',
        headers: { 'Authentication-Results': `${DOMAIN}; dkim=pass header.d=${SENDER_DOMAIN}` },
      })
      client.close()
      const [mail] = await arriving
      const raw = (await alice.mailbox.store.raw(mail?.id ?? '')).toString()
      const ours = raw.match(/^Authentication-Results: bridge\.test;.*(?:\r\n[ \t].*)*/gm) ?? []
      expect(ours).toHaveLength(1)
      expect(ours[0]).toMatch(/dkim=none/)
    } finally {
      await bridge.close()
    }
  })

  test('a burst over parallel connections: every message arrives exactly once', async ({
    network,
  }) => {
    const bridge = await startBridge(network)
    try {
      const alice = await aliceOn(network, bridge)
      const arriving = nextMails(alice, 30)
      const client = createTransport({
        host: '127.0.0.1',
        port: bridge.smtpPort,
        ignoreTLS: true,
        pool: true,
        maxConnections: 4,
      })
      const infos = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          client.sendMail({ from: CAROL, to: ALICE, subject: `burst ${i}`, text: `n ${i}` }),
        ),
      )
      client.close()
      expect(infos.every((info) => info.response.startsWith('250 '))).toBe(true)
      const subjects = (await arriving).map((m) => m.subject).sort()
      expect(subjects).toEqual(Array.from({ length: 30 }, (_, i) => `burst ${i}`).sort())
      expect((await alice.mailbox.list({ folder: 'inbox', limit: 100 })).length).toBe(30)
    } finally {
      await bridge.close()
    }
  })

  test('the bridge disk holds no plaintext of inbound mail after sealing', async ({ network }) => {
    const bridge = await startBridge(network)
    const canary = `canary-${Math.random().toString(36).slice(2)}-inbound`
    try {
      const alice = await aliceOn(network, bridge)
      const arriving = nextMails(alice)
      const client = smtpClient(bridge.smtpPort)
      await client.sendMail({
        from: CAROL,
        to: ALICE,
        subject: `subject ${canary}`,
        text: `body ${canary}`,
        attachments: [{ filename: `${canary}.txt`, content: canary }],
      })
      client.close()
      const [mail] = await arriving
      expect(mail?.subject).toBe(`subject ${canary}`)
    } finally {
      await bridge.close()
    }
    const disk = await bytesUnder(`${network.dir}/bridge`)
    expect(disk.byteLength).toBeGreaterThan(0)
    expect(disk.includes(Buffer.from(canary))).toBe(false)
    expect(disk.includes(Buffer.from(Buffer.from(canary).toString('base64').slice(0, 16)))).toBe(
      false,
    )
  })

  test('unknown recipients and other domains are refused at RCPT with 550', async ({ network }) => {
    const bridge = await startBridge(network)
    try {
      await aliceOn(network, bridge)
      const client = smtpClient(bridge.smtpPort)
      const send = (to: string) => client.sendMail({ from: CAROL, to, subject: 'x', text: 'x' })
      expect(await refusal(send(`nobody@${DOMAIN}`))).toBe(550)
      // Relaying: a registered sender or not, mail for another domain is never taken.
      expect(await refusal(send('someone@elsewhere.test'))).toBe(550)
      expect(await refusal(send(`${ALICE}.evil.test`))).toBe(550)
      client.close()
      const dialog = await SmtpDialog.open(bridge.smtpPort)
      expect(await dialog.reply()).toMatch(/^220 /)
      await dialog.send('EHLO client.sender.test\r\n')
      expect(await dialog.send(`MAIL FROM:<${ALICE}>\r\n`)).toMatch(/^250 /)
      expect(await dialog.send('RCPT TO:<victim@elsewhere.test>\r\n')).toMatch(/^550 5\.7\.1 /)
      expect(await dialog.send('RCPT TO:<"alice"@bridge.test>\r\n')).toMatch(/^550 /)
      expect(await dialog.send('DATA\r\n')).toMatch(/^503 /)
      dialog.close()
    } finally {
      await bridge.close()
    }
  })

  test('oversize mail is refused at DATA with 552; bare LF and smuggling with 550', async ({
    network,
  }) => {
    const bridge = await startBridge(network, 'bridge', { maxMessageBytes: 16 * 1024 })
    try {
      const alice = await aliceOn(network, bridge)
      const client = smtpClient(bridge.smtpPort)
      const big = 'x'.repeat(64) + '\r\n'
      expect(
        await refusal(
          client.sendMail({ from: CAROL, to: ALICE, subject: 'big', text: big.repeat(1000) }),
        ),
      ).toBe(552)
      client.close()

      const dialog = await SmtpDialog.open(bridge.smtpPort)
      await dialog.reply()
      await dialog.send('EHLO client.sender.test\r\n')
      // Oversize without a SIZE declaration: smtp-server only flags it; the bridge must say 552.
      await dialog.send(`MAIL FROM:<${CAROL}>\r\n`)
      await dialog.send(`RCPT TO:<${ALICE}>\r\n`)
      expect(await dialog.send('DATA\r\n')).toMatch(/^354 /)
      expect(await dialog.send(rawDialogMessage(big.repeat(400)) + '\r\n.\r\n')).toMatch(
        /^552 5\.3\.4 /,
      )
      // The smuggling shape: a bare-LF "end of data" followed by a second message.
      await dialog.send(`MAIL FROM:<${CAROL}>\r\n`)
      await dialog.send(`RCPT TO:<${ALICE}>\r\n`)
      await dialog.send('DATA\r\n')
      const smuggled =
        rawDialogMessage('first\r\n') +
        '\n.\nMAIL FROM:<admin@bridge.test>\r\nRCPT TO:<alice@bridge.test>\r\nDATA\r\n' +
        'Subject: smuggled\r\n\r\nsmuggled\r\n.\r\n'
      expect(await dialog.send(smuggled)).toMatch(/^550 5\.6\.0 /)
      await dialog.send(`MAIL FROM:<${CAROL}>\r\n`)
      await dialog.send(`RCPT TO:<${ALICE}>\r\n`)
      await dialog.send('DATA\r\n')
      expect(await dialog.send(rawDialogMessage('bare\nlf\r\n') + '.\r\n')).toMatch(/^550 /)

      // The same session still delivers a well-formed message, and only that one arrives.
      const arriving = nextMails(alice)
      await dialog.send(`MAIL FROM:<${CAROL}>\r\n`)
      await dialog.send(`RCPT TO:<${ALICE}>\r\n`)
      await dialog.send('DATA\r\n')
      expect(await dialog.send(rawDialogMessage('fine\r\n') + '.\r\n')).toMatch(/^250 /)
      dialog.close()
      const [mail] = await arriving
      expect(mail?.subject).toBe('by hand')
      const inbox = await alice.mailbox.list({ folder: 'inbox' })
      expect(inbox.map((m) => m.subject)).toEqual(['by hand'])
    } finally {
      await bridge.close()
    }
  })

  test('connection and per-sender limits answer 421 and 452', async ({ network }) => {
    const bridge = await startBridge(network, 'bridge', {
      maxConnectionsPerHost: 1,
      messageBurst: 2,
      messagesPerHour: 1,
    })
    try {
      await aliceOn(network, bridge)
      const first = await SmtpDialog.open(bridge.smtpPort)
      expect(await first.reply()).toMatch(/^220 /)
      const second = await SmtpDialog.open(bridge.smtpPort)
      expect(await second.reply()).toMatch(/^421 /)
      second.close()

      await first.send('EHLO client.sender.test\r\n')
      expect(await first.send(`MAIL FROM:<${CAROL}>\r\n`)).toMatch(/^250 /)
      await first.send('RSET\r\n')
      expect(await first.send(`MAIL FROM:<${CAROL}>\r\n`)).toMatch(/^250 /)
      await first.send('RSET\r\n')
      expect(await first.send(`MAIL FROM:<${CAROL}>\r\n`)).toMatch(/^452 4\.7\.1 /)
      first.close()
    } finally {
      await bridge.close()
    }
  })

  test('STARTTLS with the configured certificate; none offered without one', async ({
    network,
  }) => {
    const tls = await selfSignedCert(network.dir, DOMAIN)
    const bridge = await startBridge(network, 'bridge', { tls })
    const plain = await startBridge(network, 'plain-bridge')
    try {
      const alice = await network.open('alice')
      await alice.addAlias(ALICE, bridge.address)
      const arriving = nextMails(alice)
      const client = smtpClient(bridge.smtpPort, { ca: tls.cert, servername: DOMAIN })
      const info = await client.sendMail({ from: CAROL, to: ALICE, subject: 'tls', text: 'x' })
      client.close()
      expect(info.response).toMatch(/^250 /)
      expect((await arriving)[0]?.subject).toBe('tls')

      const noTls = smtpClient(plain.smtpPort, { ca: tls.cert, servername: DOMAIN })
      await expect(
        noTls.sendMail({ from: CAROL, to: ALICE, subject: 'x', text: 'x' }),
      ).rejects.toThrow(/STARTTLS/)
      noTls.close()
    } finally {
      await plain.close()
      await bridge.close()
    }
  })

  test('mail accepted while the account is offline arrives after the bridge restarts', async ({
    network,
  }) => {
    let bridge = await startBridge(network)
    try {
      let alice = await aliceOn(network, bridge)
      await alice.close()
      const client = smtpClient(bridge.smtpPort)
      const info = await client.sendMail({ from: CAROL, to: ALICE, subject: 'kept', text: 'x' })
      client.close()
      expect(info.response).toMatch(/^250 /)
      await bridge.close()

      bridge = await startBridge(network)
      alice = await network.open('alice')
      const [mail] = await nextMails(alice)
      expect(mail?.subject).toBe('kept')
      expect(mail?.folder).toBe('inbox')
    } finally {
      await bridge.close()
    }
  })
})
