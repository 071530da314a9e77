import { generateKeyPairSync } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

/** The outside world's domain in the demo: where the ordinary correspondent's mailbox is. */
export const WORLD_DOMAIN = 'world.test'
/** The DKIM selector both demo domains publish their keys under. */
export const DEMO_DKIM_SELECTOR = 'demo'

/** A DKIM key made for one demo run (never stored), and the TXT record that publishes it. */
export interface DemoDkimKey {
  privateKey: string
  record: string
}

export function demoDkimKey(): DemoDkimKey {
  // 1024 bits: made in milliseconds for a demo that lives minutes; a real bridge uses 2048 or more.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    record: `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  }
}

/**
 * The demo's DNS: SPF, DKIM and DMARC records for the world's domain, answered from memory, so the bridge
 * can check the world's mail (and nothing is looked up on a real DNS server: the demo stays on 127.0.0.1).
 */
export function demoResolver(worldKey: DemoDkimKey) {
  const records: Record<string, string[][]> = {
    [`TXT ${WORLD_DOMAIN}`]: [['v=spf1 ip4:127.0.0.1 -all']],
    [`TXT ${DEMO_DKIM_SELECTOR}._domainkey.${WORLD_DOMAIN}`]: [[worldKey.record]],
    [`TXT _dmarc.${WORLD_DOMAIN}`]: [['v=DMARC1; p=reject']],
  }
  return (name: string, type: string): Promise<string[][]> => {
    const answer = records[`${type} ${name.toLowerCase()}`]
    if (answer) return Promise.resolve(answer)
    return Promise.reject(Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' }))
  }
}

/** A mail as the outside world received it. */
export interface WorldMail {
  from: string
  to: string[]
  raw: Buffer
}

/**
 * The demo's stand-in for the rest of the internet: an SMTP server on 127.0.0.1 that takes every mail
 * (it is the bridge's smarthost) and keeps it, so the demo can show what an ordinary mailbox would get.
 */
export interface DemoWorld {
  /** `smtp://127.0.0.1:PORT`, for the bridge's smarthost. */
  readonly url: string
  readonly received: readonly WorldMail[]
  /** The next mail to arrive. */
  next(): Promise<WorldMail>
  close(): Promise<void>
}

/** Demo mails are small; anything bigger is refused rather than held in memory. */
const MAX_BYTES = 10 * 1024 * 1024

export async function startDemoWorld(): Promise<DemoWorld> {
  const received: WorldMail[] = []
  const waiting: ((mail: WorldMail) => void)[] = []
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_BYTES,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('5.3.4 message too big'), { responseCode: 552 }))
          return
        }
        const { mailFrom, rcptTo } = session.envelope
        const mail = {
          from: mailFrom ? mailFrom.address : '',
          to: rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        }
        received.push(mail)
        waiting.shift()?.(mail)
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve()
        })
      }),
  }
}
