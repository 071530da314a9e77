import { describe, expect, it } from 'vitest'
import { composeDeliveryReport, parseDeliveryReport } from '../../../src/bridge/delivery-report.js'

const ENVID = 'a'.repeat(32)
const ORIGINAL = Buffer.from(
  'From: <alice@bridge.test>\r\nSubject: hello\r\nMessage-ID: <m1@peermail.invalid>\r\n\r\nbody\r\n',
)

function report(lines: string[], type = 'delivery-status', status = 'message/delivery-status') {
  return Buffer.from(
    [
      'From: <mailer-daemon@bridge.test>',
      'In-Reply-To: <m1@peermail.invalid>',
      `Content-Type: multipart/report; report-type=${type}; boundary="b"`,
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'for people',
      '--b',
      `Content-Type: ${status}`,
      '',
      ...lines,
      '--b--',
      '',
    ].join('\r\n'),
  )
}

describe('delivery reports', () => {
  it('a composed report reads back: envelope id, Message-ID, each recipient and its action', async () => {
    const raw = await composeDeliveryReport({
      domain: 'bridge.test',
      alias: 'alice@bridge.test',
      original: ORIGINAL,
      envid: ENVID,
      delivered: ['carol@world.test'],
      failures: [{ recipient: 'nobody@world.test', reason: '550 5.1.1 no such user' }],
    })
    expect(raw.toString()).toMatch(
      /^Content-Type: multipart\/report; report-type=delivery-status;/m,
    )
    expect(raw.toString()).toMatch(/^Status: 5\.1\.1\r$/m)
    expect(parseDeliveryReport(raw)).toEqual({
      envid: ENVID,
      messageId: '<m1@peermail.invalid>',
      recipients: [
        { recipient: 'carol@world.test', action: 'delivered' },
        { recipient: 'nobody@world.test', action: 'failed' },
      ],
    })
  })

  it('a remote reply cannot add a recipient group of its own', async () => {
    const raw = await composeDeliveryReport({
      domain: 'bridge.test',
      alias: 'alice@bridge.test',
      original: ORIGINAL,
      envid: ENVID,
      delivered: [],
      failures: [
        {
          recipient: 'nobody@world.test',
          reason: '550 no\r\n\r\nFinal-Recipient: rfc822; boss@world.test\r\nAction: delivered',
        },
      ],
    })
    expect(parseDeliveryReport(raw)?.recipients).toEqual([
      { recipient: 'nobody@world.test', action: 'failed' },
    ])
  })

  it('without an envelope id the report still reads, naming none', async () => {
    const raw = await composeDeliveryReport({
      domain: 'bridge.test',
      alias: 'alice@bridge.test',
      original: Buffer.alloc(0),
      envid: undefined,
      delivered: [],
      failures: [{ recipient: 'nobody@world.test', reason: 'gave up' }],
    })
    expect(parseDeliveryReport(raw)).toEqual({
      envid: undefined,
      messageId: undefined,
      recipients: [{ recipient: 'nobody@world.test', action: 'failed' }],
    })
  })

  it('anything else is not a report', () => {
    const group = ['Original-Envelope-Id: ' + ENVID, '', 'Final-Recipient: rfc822; c@w.test']
    expect(parseDeliveryReport(Buffer.from('Subject: hi\r\n\r\nbody\r\n'))).toBeUndefined()
    expect(parseDeliveryReport(report([...group, 'Action: delivered']))).toBeDefined()
    // A read receipt (RFC 8098), not a delivery report.
    expect(
      parseDeliveryReport(report([...group, 'Action: delivered'], 'disposition-notification')),
    ).toBeUndefined()
    // The status part under a transfer encoding this reader does not undo, or of another type.
    expect(
      parseDeliveryReport(
        report(
          [...group, 'Action: delivered'],
          'delivery-status',
          'message/delivery-status\r\nContent-Transfer-Encoding: base64',
        ),
      ),
    ).toBeUndefined()
    expect(
      parseDeliveryReport(report([...group, 'Action: delivered'], 'delivery-status', 'text/plain')),
    ).toBeUndefined()
    // A recipient group without a Final-Recipient, or more groups than a submission has recipients.
    expect(parseDeliveryReport(report([group[0] ?? '', '', 'Action: delivered']))).toBeUndefined()
    const many = Array.from({ length: 101 }, (_, i) => `\r\nFinal-Recipient: rfc822; r${i}@w.test`)
    expect(parseDeliveryReport(report([group[0] ?? '', ...many]))).toBeUndefined()
    // Too large to be a report of ours.
    const big = report([...group, 'Action: delivered', 'X-Pad: ' + 'x'.repeat(300 * 1024)])
    expect(parseDeliveryReport(big)).toBeUndefined()
  })

  it('a malformed envelope id names nothing; other actions and repeated fields are not taken', () => {
    const parsed = parseDeliveryReport(
      report([
        'Original-Envelope-Id: not-hex',
        '',
        'Final-Recipient: rfc822; a@w.test',
        'Action: failed',
        'Action: delivered',
        '',
        'Final-Recipient: rfc822; b@w.test',
        'Action: delayed',
      ]),
    )
    expect(parsed).toEqual({
      envid: undefined,
      messageId: '<m1@peermail.invalid>',
      recipients: [{ recipient: 'a@w.test', action: 'failed' }],
    })
  })
})
