/**
 * The raw layer beneath relay catch-up, for bench/relay.ts: a bare "relay" Corestore that already holds
 * a core of given blocks, and a fresh reader Corestore that dials it over Hyperswarm on the loopback
 * testnet and downloads the whole core. No accounts, no relay protocol, no sealing, no mailbox.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import type { BootstrapNode } from 'hyperdht'
import type Hyperswarm from 'hyperswarm'
import { replicatingSwarm } from './loopback.js'
import { createCorestore } from '../src/mailbox/index.js'

/** Blocks appended per call while filling the holder (not timed). */
const FILL_BATCH = 1024

/** What the holder holds: given blocks, or `count` blocks made for their place in its core. */
export type HeldBlocks =
  Buffer[] | { count: number; make(logKey: Buffer, seq: number): Promise<Buffer> }

export interface RawHolder {
  /** Blocks held. */
  readonly length: number
  /**
   * A fresh reader store dials the holder and downloads every block: seconds from dialling until the
   * reader holds them all, and how much of that was connection setup. With `read`, the reader core is
   * also handed to it as the download starts, and the time runs until it is done too.
   */
  catchUp(
    read?: (reader: Hypercore) => Promise<void>,
  ): Promise<{ seconds: number; connectMs: number }>
  close(): Promise<void>
}

/** A bare store holding `held` in one core, listening on the testnet. */
export async function openRawHolder(
  bootstrap: BootstrapNode[],
  held: HeldBlocks,
): Promise<RawHolder> {
  const dir = await mkdtemp(join(tmpdir(), 'peermail-bench-relay-raw-'))
  const holderStore = createCorestore(join(dir, 'holder'))
  const swarms = new Set<Hyperswarm>()
  const makeSwarm = (store: Corestore): Hyperswarm => {
    const swarm = replicatingSwarm(bootstrap, store)
    swarms.add(swarm)
    return swarm
  }
  const close = async () => {
    for (const swarm of swarms) await swarm.destroy()
    swarms.clear()
    await holderStore.close()
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const core = holderStore.get({ name: 'held-log' })
    await core.ready()
    const logKey = core.key as Buffer
    const total = Array.isArray(held) ? held.length : held.count
    for (let i = 0; i < total; i += FILL_BATCH) {
      const end = Math.min(total, i + FILL_BATCH)
      const batch: Buffer[] = []
      for (let seq = i; seq < end; seq++)
        batch.push(Array.isArray(held) ? (held[seq] as Buffer) : await held.make(logKey, seq))
      await core.append(batch)
    }
    const server = makeSwarm(holderStore)
    await server.listen()
    let readers = 0
    const catchUp = async (read?: (reader: Hypercore) => Promise<void>) => {
      const readerStore = createCorestore(join(dir, `reader-${readers++}`))
      const reader = readerStore.get({ key: logKey })
      await reader.ready()
      const client = makeSwarm(readerStore)
      try {
        const began = process.hrtime.bigint()
        const connected = new Promise<bigint>((resolve) =>
          client.once('connection', () => {
            resolve(process.hrtime.bigint())
          }),
        )
        client.joinPeer(server.keyPair.publicKey)
        const connectedAt = await connected
        // Ask for the holder's length (an upgrade) rather than waiting for it to be pushed.
        void reader.update({ wait: true }).catch(() => {})
        await waitForLength(reader, total)
        const download = reader.download({ start: 0, end: total })
        if (read) await read(reader)
        await download.done()
        const seconds = Number(process.hrtime.bigint() - began) / 1e9
        return { seconds, connectMs: Number(connectedAt - began) / 1e6 }
      } finally {
        swarms.delete(client)
        await client.destroy()
        await readerStore.close()
      }
    }
    return { length: total, catchUp, close }
  } catch (err) {
    await close()
    throw err
  }
}

function waitForLength(core: Hypercore, length: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (core.length < length) return
      core.off('append', check)
      resolve()
    }
    core.on('append', check)
    check()
  })
}
