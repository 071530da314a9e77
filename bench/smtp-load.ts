/**
 * The bridge benchmark's load generator, run as a child process so that the client's work (speaking
 * SMTP) does not share the event loop of the server it measures: real senders are other machines. Sends
 * `n` messages of `bytes` to 127.0.0.1:`port` over `connections` parallel SMTP connections (nodemailer's
 * SMTPConnection, each sending one message after another as a pooled sender does) and prints
 * `{ messagesPerSecond, p50Ms, p99Ms }` as JSON on stdout.
 *
 * The time to `250` is each transaction's own: from MAIL FROM to the reply after the data. Messages
 * waiting for a free connection are not timed while they wait (that wait is the run's length, not the
 * server's latency).
 *
 * Usage: node --import tsx bench/smtp-load.ts PORT N BYTES CONNECTIONS
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js'
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

function connect(): Promise<SMTPConnection> {
  const connection = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true })
  return new Promise((resolve, reject) => {
    connection.once('error', reject)
    connection.connect(() => {
      connection.off('error', reject)
      resolve(connection)
    })
  })
}

// Resolves with when the `250` came. It settles on the turn after the reply, as nodemailer's pool moves
// on: the connection finishes handling a reply only after calling back, so a send made inside the
// callback would be out of step with it.
function send(connection: SMTPConnection, raw: Buffer): Promise<bigint> {
  return new Promise((resolve, reject) => {
    // A fresh envelope each time: the connection keeps the one it is given and works on it.
    connection.send({ from: 'carol@sender.test', to: ['alice@bridge.test'] }, raw, (err) => {
      const answered = now()
      setImmediate(() => {
        if (err) reject(err)
        else resolve(answered)
      })
    })
  })
}

// Connections are opened (and greeted) before the clock starts, as a pool's would be by then.
const open = await Promise.all(Array.from({ length: Math.min(connections, n) }, connect))
const latencies: number[] = []
let next = 0
const start = now()
await Promise.all(
  open.map(async (connection) => {
    for (let i = next++; i < n; i = next++) {
      const began = now()
      const answered = await send(connection, messages[i] as Buffer)
      latencies.push(Number(answered - began) / 1e6)
    }
  }),
)
const seconds = Number(now() - start) / 1e9
for (const connection of open) connection.quit()
latencies.sort((a, b) => a - b)
const percentile = (p: number) =>
  round(latencies[Math.min(latencies.length - 1, Math.ceil(n * p) - 1)] ?? 0, 2)
process.stdout.write(
  `${JSON.stringify({
    messagesPerSecond: round(n / seconds),
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
  })}\n`,
)
