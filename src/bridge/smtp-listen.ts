import type { AddressInfo } from 'node:net'
import type { SMTPServer } from 'smtp-server'

/**
 * Starts `server` on `host:port` (0: any free port); resolves with the port bound, rejects when it
 * cannot listen (the port is taken).
 */
export function listenSmtp(server: SMTPServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      reject(err)
    }
    server.server.once('error', onError)
    server.listen(port, host, () => {
      server.server.off('error', onError)
      resolve((server.server.address() as AddressInfo).port)
    })
  })
}
