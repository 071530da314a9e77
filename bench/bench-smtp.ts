/**
 * The bridge benchmark's plain SMTP servers (the bare one and the stack floor): smtp-server on 127.0.0.1,
 * no AUTH or STARTTLS, handing each whole message to `store` and answering `250` once it resolves (or
 * the error it rejects with).
 */
import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerSession } from 'smtp-server'

export interface BenchSmtp {
  port: number
  close(): Promise<void>
}

export async function startBenchSmtp(
  store: (raw: Buffer, session: SMTPServerSession) => Promise<void>,
): Promise<BenchSmtp> {
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        store(Buffer.concat(chunks), session).then(
          () => {
            callback()
          },
          (err: unknown) => {
            callback(err as Error)
          },
        )
      })
    },
  })
  // A client's connection reset is reported here; unheard, it would end the benchmark's process.
  server.on('error', () => {})
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve()
        })
      }),
  }
}
