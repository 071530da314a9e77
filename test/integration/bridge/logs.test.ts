/**
 * The bridge's log holds envelope data and counts, never contents: a canary in a mail's subject, body
 * and header-only addresses, carried in and out (and bounced), appears nowhere in the log lines that
 * `peermail bridge` would write.
 */
import { describe, expect } from 'vitest'
import { jsonLog, type LogRecord } from '../../../src/bridge/log.js'
import { bridgeDkim, DOMAIN, logWatcher, startBridge } from '../../helpers/bridge/bridge.js'
import { zoneResolver } from '../../helpers/bridge/dns.js'
import { smtpClient } from '../../helpers/bridge/smtp.js'
import { startWorld } from '../../helpers/bridge/world.js'
import { nextMails, test } from '../../helpers/network.js'

const CANARY = 'Zq7canaryXv93'

describe('bridge: logs', () => {
  test('a canary in subject, body and headers never reaches the log, in or out', async ({
    network,
  }) => {
    const world = await startWorld()
    const lines: string[] = []
    const watch = logWatcher()
    const json = jsonLog((line) => lines.push(line))
    const bridge = await startBridge(
      network,
      'bridge',
      {},
      {
        direct: {
          resolver: zoneResolver({
            'world.test': { MX: [{ exchange: 'mx.world.test', priority: 10 }] },
            'mx.world.test': { A: ['127.0.0.1'] },
            'nomail.test': { MX: [{ exchange: '', priority: 0 }] },
          }),
          port: () => world.port,
          allowPrivateAddresses: true,
        },
        dkim: bridgeDkim.options,
        outbound: { retryDelaysMs: [200, 400] },
        log: (event, detail) => {
          json(event, detail)
          watch.log(event, detail)
        },
      },
    )
    try {
      const alice = await network.open('alice')
      await alice.addAlias(`alice@${DOMAIN}`, bridge.address)

      // In: the canary in subject, body, a header-only address and a display name.
      const arriving = nextMails(alice)
      const client = smtpClient(bridge.smtpPort)
      await client.sendMail({
        envelope: { from: 'carol@sender.test', to: [`alice@${DOMAIN}`] },
        from: `${CANARY} <carol@sender.test>`,
        to: `alice@${DOMAIN}`,
        cc: `${CANARY.toLowerCase()}@hidden.test`,
        subject: `subject ${CANARY}`,
        text: `body ${CANARY}`,
      })
      client.close()
      const [inbound] = await arriving
      expect(inbound?.subject).toBe(`subject ${CANARY}`)

      // Out, delivered to the world's MX; and out to a null MX, bounced back into the inbox.
      await alice.send({ to: 'dave@world.test', subject: `out ${CANARY}`, text: `body ${CANARY}` })
      const [sent] = await world.waitFor(1)
      expect(sent?.raw.toString()).toContain(`body ${CANARY}`)
      const bounced = nextMails(alice)
      await alice.send({ to: 'x@nomail.test', subject: `void ${CANARY}`, text: `body ${CANARY}` })
      const [bounce] = await bounced
      expect(bounce?.subject).toBe(`Undelivered mail: void ${CANARY}`)
      await watch.count('outbound-attempt', 2)

      const records = lines.map((line) => JSON.parse(line) as LogRecord)
      for (const record of records) {
        expect(Object.keys(record)).toEqual(['time', 'level', 'event', 'fields'])
        expect(['info', 'warn', 'error']).toContain(record.level)
      }
      const events = new Set(records.map((r) => r.event))
      for (const event of [
        'alias',
        'inbound',
        'outbound-attempt',
        'outbound-host',
        'outbound-route',
      ])
        expect(events).toContain(event)
      expect(
        lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1),
      ).toBe(true)
      const log = lines.join('').toLowerCase()
      expect(log).not.toContain(CANARY.toLowerCase())
      expect(log).not.toContain('hidden.test')
    } finally {
      await bridge.close()
      await world.close()
    }
  })
})
