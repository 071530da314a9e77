import { authenticate, dkimSign } from 'mailauth'
import { describe, expect, test } from 'vitest'
import { withAuthenticationResults } from '../../../src/bridge/authenticate.js'
import { splitHeader } from '../../../src/bridge/header-fields.js'
import { DKIM_SELECTOR, resolver, senderDkim, SENDER_DOMAIN } from '../../helpers/bridge/bridge.js'

const MTA = 'bridge.test'
const origin = { ip: '127.0.0.1', helo: 'mx.sender.test', sender: `carol@${SENDER_DOMAIN}` }
const FIXED_RESULT_PARTS = /\b(spf|dkim|dmarc|arc)=\w+/g

function message(body: string): Buffer {
  return Buffer.from(
    [
      `From: Carol <carol@${SENDER_DOMAIN}>`,
      'To: alice@bridge.test',
      'Subject: results',
      'Message-ID: <results@sender.test>',
      '',
      body,
    ].join('\r\n'),
  )
}

async function sign(raw: Buffer): Promise<Buffer> {
  const key = {
    signingDomain: SENDER_DOMAIN,
    selector: DKIM_SELECTOR,
    privateKey: senderDkim.privateKey,
  }
  // mailauth signs with `signatureData`; its typings also ask for the top-level fields.
  const { signatures } = await dkimSign(raw, { ...key, signatureData: [key] })
  return Buffer.concat([Buffer.from(signatures), raw])
}

// The method=result pairs of our Authentication-Results, in order.
function results(raw: Buffer): string[] {
  const field = splitHeader(raw).fields.find((f) => f.name === 'authentication-results')
  return field?.text.match(FIXED_RESULT_PARTS) ?? []
}

describe('withAuthenticationResults', () => {
  test('an unsigned message gets the results mailauth gives for the whole message', async () => {
    const raw = message('line of a long body\r\n'.repeat(5000))
    const ours = await withAuthenticationResults(raw, origin, MTA, resolver)
    const whole = await authenticate(raw, { ...origin, mta: MTA, disableBimi: true, resolver })
    expect(results(ours)).toEqual(['dkim=none', 'spf=pass', 'dmarc=pass', 'arc=none'])
    expect(results(ours)).toEqual(results(Buffer.from(whole.headers.replace(/\r?\n/g, '\r\n'))))
    // The message itself is kept whole, after the results.
    expect(ours.subarray(ours.byteLength - raw.byteLength)).toEqual(raw)
  })

  test('a signed message is still checked with its body: a changed body fails DKIM', async () => {
    const signed = await sign(message('the signed body\r\n'))
    expect(results(await withAuthenticationResults(signed, origin, MTA, resolver))).toContain(
      'dkim=pass',
    )
    const tampered = Buffer.from(
      signed.toString('latin1').replace('signed body', 'forged body'),
      'latin1',
    )
    // mailauth calls a body that no longer matches its hash `neutral` ("body hash did not verify").
    const checked = results(await withAuthenticationResults(tampered, origin, MTA, resolver))
    expect(checked).not.toContain('dkim=pass')
    expect(checked.some((r) => /^dkim=(fail|neutral)$/.test(r))).toBe(true)
  })

  test('results that claim to be ours are removed, others kept', async () => {
    const raw = Buffer.concat([
      Buffer.from(`Authentication-Results: ${MTA}; dkim=pass header.d=${SENDER_DOMAIN}\r\n`),
      Buffer.from('Authentication-Results: elsewhere.test; spf=pass\r\n'),
      message('body\r\n'),
    ])
    const out = (await withAuthenticationResults(raw, origin, MTA, resolver)).toString('latin1')
    expect(out.match(new RegExp(`Authentication-Results: ${MTA};`, 'g'))).toHaveLength(1)
    expect(out).not.toMatch(/dkim=pass/)
    expect(out).toContain('Authentication-Results: elsewhere.test; spf=pass')
  })
})
