import HyperDHT, { type BootstrapNode } from 'hyperdht'
import type Corestore from 'corestore'
import Hyperswarm, { type SwarmConnection } from 'hyperswarm'
import type { Account, MessageSummary } from '../src/index.js'
import { ANY_PORT } from '../src/sync/network.js'

/** What the delivery and relay benchmarks share: env counts, mail bodies, arrivals, bare swarms. */

/** A positive integer from the environment, else `fallback`. */
export function count(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
  return value
}

/** `bytes` of plain text in 64-byte lines, tagged so that no two bodies are the same. */
export function textOf(bytes: number, tag: string): string {
  const line = `${tag} `.padEnd(63, 'abcdefghijklmnopqrstuvwxyz0123456789 ') + '\n'
  return line.repeat(Math.ceil(bytes / 64)).slice(0, bytes)
}

export const now = () => process.hrtime.bigint()

export interface Arrival {
  /** When the last of the awaited mails arrived (hrtime). */
  at: bigint
  /** When the first one arrived. */
  firstAt: bigint
  /** Their stored sizes, summed. */
  bytes: number
}

/** Resolves once `account` has had `total` more `mail` events; `onEach` sees the running count. */
export function mails(
  account: Account,
  total: number,
  onEach: (got: number) => void = () => {},
): Promise<Arrival> {
  return new Promise((resolve) => {
    let got = 0
    let bytes = 0
    let firstAt = 0n
    const onMail = (summary: MessageSummary) => {
      if (got === 0) firstAt = now()
      got++
      bytes += summary.size
      onEach(got)
      if (got < total) return
      account.off('mail', onMail)
      resolve({ at: now(), firstAt, bytes })
    }
    account.on('mail', onMail)
  })
}

/**
 * A bare Hyperswarm on the loopback testnet (its DHT bound to 127.0.0.1) whose connections replicate
 * `store`: the raw layer the benchmarks compare against.
 */
export function replicatingSwarm(bootstrap: BootstrapNode[], store: Corestore): Hyperswarm {
  const keyPair = HyperDHT.keyPair()
  const swarm = new Hyperswarm({
    keyPair,
    dht: new HyperDHT({ bootstrap, host: '127.0.0.1', port: ANY_PORT, keyPair }),
  })
  swarm.on('connection', (conn: SwarmConnection) => {
    conn.on('error', () => {})
    store.replicate(conn)
  })
  return swarm
}
