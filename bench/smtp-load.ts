/**
 * The bridge benchmark's load generator, run as a child process so that the client's work (nodemailer
 * composing and speaking SMTP) does not share the event loop of the server it measures: real senders are
 * other machines. Sends `n` messages of `bytes` to 127.0.0.1:`port` over `connections` pooled
 * connections, timing each `250`, and prints `{ messagesPerSecond, p99Ms }` as JSON on stdout.
 *
 * Usage: node --import tsx bench/smtp-load.ts PORT N BYTES CONNECTIONS
 */
import { createTransport } from 'nodemailer'
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import { now, textOf } from './loopback.js'
import { round } from './measure.js'

function positive(text: string | undefined, name: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
  return value
}

const [port, n, bytes, connections] = ['PORT', 'N', 'BYTES', 'CONNECTIONS'].map((name, i) =>
  positive(process.argv[2 + i], name),
) as [number, number, number, number]

const client = createTransport({
  host: '127.0.0.1',
  port,
  ignoreTLS: true,
  pool: true,
  maxConnections: connections,
  maxMessages: Infinity,
})
// Composed (MIME and all) before the clock starts: the figures are the server's, not the client's MIME
// builder's. Real senders are other machines.
const messages = await Promise.all(
  Array.from({ length: n }, (_, i) =>
    new MailComposer({
      from: 'carol@sender.test',
      to: 'alice@bridge.test',
      subject: `bench ${i}`,
      text: textOf(bytes, `m${i}`),
    })
      .compile()
      .build(),
  ),
)
const envelope = { from: 'carol@sender.test', to: ['alice@bridge.test'] }
const latencies: number[] = []
const start = now()
await Promise.all(
  messages.map(async (raw) => {
    const sent = now()
    await client.sendMail({ envelope, raw })
    latencies.push(Number(now() - sent) / 1e6)
  }),
)
const seconds = Number(now() - start) / 1e9
client.close()
latencies.sort((a, b) => a - b)
process.stdout.write(
  `${JSON.stringify({
    messagesPerSecond: round(n / seconds),
    p99Ms: round(latencies[Math.min(latencies.length - 1, Math.ceil(n * 0.99) - 1)] ?? 0),
  })}\n`,
)
