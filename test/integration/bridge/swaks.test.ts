/**
 * The bridge against an SMTP client nobody here wrote: swaks (Debian's package, installed by .ci/run).
 * It speaks SMTP its own way (pipelining, its own headers and MIME), which is what the outside world does.
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect } from 'vitest'
import { DOMAIN, SENDER_DOMAIN, startBridge } from '../../helpers/bridge/bridge.js'
import { nextMails, test } from '../../helpers/network.js'

const ALICE = `alice@${DOMAIN}`
const CAROL = `carol@${SENDER_DOMAIN}`

/** Runs swaks against 127.0.0.1:port; resolves its exit code and transcript (it exits non-zero on refusal). */
async function swaks(port: number, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)('swaks', [
      '--server',
      `127.0.0.1:${port}`,
      '--helo',
      'client.sender.test',
      '--timeout',
      '30',
      ...args,
    ])
    return { code: 0, out: stdout }
  } catch (err) {
    const failed = err as { code?: number; stdout?: string }
    if (typeof failed.code !== 'number') throw err
    return { code: failed.code, out: failed.stdout ?? '' }
  }
}

describe('bridge: swaks as the outside world', () => {
  test('delivers an attachment to the alias; refuses strangers and relaying at RCPT', async ({
    network,
  }) => {
    const bridge = await startBridge(network)
    try {
      const alice = await network.open('alice')
      await alice.addAlias(ALICE, bridge.address)
      const arriving = nextMails(alice)
      const attachment = join(network.dir, 'report.csv')
      await writeFile(attachment, 'quarter,total\nq3,42\n')
      const sent = await swaks(bridge.smtpPort, [
        '--from',
        CAROL,
        '--to',
        ALICE,
        '--header',
        'Subject: numbers from swaks',
        '--body',
        'See the attached report.',
        '--attach',
        `@${attachment}`,
      ])
      expect(sent.code, sent.out).toBe(0)
      expect(sent.out).toMatch(/\r?\n<- {2}250 [^\n]*\n -> QUIT/)

      const [mail] = await arriving
      expect(mail?.from[0]?.address).toBe(CAROL)
      const read = await alice.mailbox.read(mail?.id ?? '')
      expect(read.subject).toBe('numbers from swaks')
      expect(read.text).toContain('See the attached report.')
      expect(read.attachments[0]?.content.toString()).toBe('quarter,total\nq3,42\n')

      // Nobody here: refused at RCPT, never accepted then bounced.
      const unknown = await swaks(bridge.smtpPort, ['--from', CAROL, '--to', `nobody@${DOMAIN}`])
      expect(unknown.code).not.toBe(0)
      expect(unknown.out).toMatch(/<\*\* 550 5\.\d\.\d /)
      // Relaying through the bridge to another domain: refused, whoever asks.
      const relay = await swaks(bridge.smtpPort, ['--from', CAROL, '--to', 'victim@elsewhere.test'])
      expect(relay.code).not.toBe(0)
      expect(relay.out).toMatch(/<\*\* 550 5\.\d\.\d /)
      expect(await bridge.queueLength()).toBe(0)
      expect((await alice.mailbox.list({ folder: 'inbox' })).length).toBe(1)
    } finally {
      await bridge.close()
    }
  })
})
