import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

/** A message as the outside world received it. */
export interface Received {
  from: string
  to: string[]
  raw: Buffer
}

/** A stand-in for the rest of the internet: an smtp-server on 127.0.0.1 that records what it gets. */
export interface World {
  port: number
  url: string
  received: Received[]
  /** Resolves once `count` messages have been received in all. */
  waitFor(count: number): Promise<Received[]>
  close(): Promise<void>
}

export interface WorldBehaviour {
  /** Recipients refused at RCPT with 550. */
  refuse?: string[]
  /** The first `n` DATA commands are answered 451 (a destination having trouble). */
  failFirst?: number
  /** DATA is answered (and the message recorded) only once this resolves: a slow destination. */
  hold?: Promise<void>
}

export async function startWorld(behaviour: WorldBehaviour = {}, port = 0): Promise<World> {
  const received: Received[] = []
  const waiters: { count: number; resolve: (r: Received[]) => void }[] = []
  let failures = behaviour.failFirst ?? 0
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    onRcptTo: (address, _session, callback) => {
      if (behaviour.refuse?.includes(address.address))
        callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }))
      else callback()
    },
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      const answer = async () => {
        await behaviour.hold
        if (failures > 0) {
          failures--
          callback(Object.assign(new Error('4.3.0 try later'), { responseCode: 451 }))
          return
        }
        const from = session.envelope.mailFrom
        received.push({
          from: from ? from.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        })
        for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve(received)
        callback()
      }
      stream.on('end', () => {
        void answer()
      })
    },
  })
  await new Promise<void>((resolve) => {
    server.listen(port, '127.0.0.1', resolve)
  })
  const bound = (server.server.address() as AddressInfo).port
  return {
    port: bound,
    url: `smtp://127.0.0.1:${bound}`,
    received,
    waitFor: (count) =>
      new Promise((resolve) => {
        if (received.length >= count) resolve(received)
        else waiters.push({ count, resolve })
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve()
        })
      }),
  }
}
