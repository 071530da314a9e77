import { generateKeyPairSync } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { openBridge, type Bridge, type OpenBridgeOptions } from '../../../src/index.js'
import { FAST_VAULT, type TestNetwork } from '../network.js'
import { zoneResolver } from './dns.js'
import { fixedResolver } from './smtp.js'

export const DOMAIN = 'bridge.test'
/** The outside sender's domain, with SPF, DKIM and DMARC records that the fixed resolver serves. */
export const SENDER_DOMAIN = 'sender.test'
export const DKIM_SELECTOR = 'mail'

/** A throwaway DKIM key for the outside sender (made per run, never committed). */
export const senderDkim = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
  return { privateKey: pem, record: `v=DKIM1; k=rsa; p=${der}` }
})()

export const resolver = fixedResolver({
  [`TXT ${SENDER_DOMAIN}`]: [['v=spf1 ip4:127.0.0.1 -all']],
  [`TXT ${DKIM_SELECTOR}._domainkey.${SENDER_DOMAIN}`]: [[senderDkim.record]],
  [`TXT _dmarc.${SENDER_DOMAIN}`]: [['v=DMARC1; p=reject']],
})

/** Opens a bridge for `bridge.test` on the test network, SMTP on 127.0.0.1 and a free port. */
export function startBridge(
  network: TestNetwork,
  name = 'bridge',
  smtp: Partial<OpenBridgeOptions['smtp']> = {},
  options: Partial<Omit<OpenBridgeOptions, 'smtp'>> = {},
): Promise<Bridge> {
  return openBridge({
    home: join(network.dir, name),
    domain: DOMAIN,
    bootstrap: network.net.bootstrap,
    vaultParams: FAST_VAULT,
    smtp: { host: '127.0.0.1', port: 0, resolver, ...smtp },
    // Without a smarthost the bridge would look up MX records: tests answer from an empty zone (every
    // domain NXDOMAIN) unless they bring their own, so no test ever asks a real DNS server.
    direct: { resolver: zoneResolver({}) },
    ...options,
  })
}

/** The bridge's own DKIM key for bridge.test (made per run) and its DNS record. */
export const bridgeDkim = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
  return {
    options: {
      selector: 'pm',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
    record: `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  }
})()

/** What the outside world's resolver says about bridge.test. */
export const worldResolver = fixedResolver({
  [`TXT pm._domainkey.${DOMAIN}`]: [[bridgeDkim.record]],
  [`TXT ${DOMAIN}`]: [['v=spf1 ip4:127.0.0.1 -all']],
  [`TXT _dmarc.${DOMAIN}`]: [['v=DMARC1; p=reject']],
})

/** Resolves with the first log event called `event` that a bridge's `log` option reports. */
export function logWatcher() {
  const seen: { event: string; detail: Record<string, unknown> }[] = []
  const waiters: { event: string; resolve: () => void }[] = []
  return {
    seen,
    log: (event: string, detail: Record<string, unknown>) => {
      seen.push({ event, detail })
      const ready = waiters.filter((w) => w.event === event)
      waiters.splice(0, waiters.length, ...waiters.filter((w) => w.event !== event))
      for (const w of ready) w.resolve()
    },
    next: (event: string) =>
      new Promise<void>((resolve) => {
        waiters.push({ event, resolve })
      }),
    /** Resolves once `event` has been seen `count` times in all. */
    count: (event: string, count: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (seen.filter((e) => e.event === event).length >= count) resolve()
          else waiters.push({ event, resolve: check })
        }
        check()
      }),
  }
}

/** Waits until `condition` holds, checking every 20 ms (the test's own timeout bounds it). */
export async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20))
}

/** Every byte of every file under `dir`. */
export async function bytesUnder(dir: string): Promise<Buffer> {
  const out: Buffer[] = []
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry)
    if ((await stat(path)).isFile()) out.push(await readFile(path))
  }
  return Buffer.concat(out)
}
