/**
 * The raw layer beneath delivery, for bench/delivery.ts: two bare Corestores replicating one Hypercore
 * over a Hyperswarm connection on the loopback testnet. No mailbox, no sealing, no protocol channel.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Corestore from 'corestore'
import type Hypercore from 'hypercore'
import type { BootstrapNode } from 'hyperdht'
import type Hyperswarm from 'hyperswarm'
import { replicatingSwarm } from './loopback.js'
import { CHUNK_BYTES } from '../src/sync/frames.js'
import type { StackFloorWork } from './stack-floor.js'

/** Batching as the outbox does it: one append per round of at most 256 mails or 8 MiB. */
const ROUND_MESSAGES = 256
const ROUND_BYTES = 8 * 1024 * 1024

export interface RawPair {
  /**
   * Appends `count` messages of `bytes` each (split into CHUNK_BYTES blocks as our frames do) and
   * returns the seconds from the first append until the reader holds every block.
   */
  transfer(count: number, bytes: number): Promise<number>
  /**
   * The stack's floor (bench/stack-floor.ts): `count` mails of `bodyBytes` text, each composed and sealed
   * by the writer and opened and parsed by the reader as it arrives, appended and read as `transfer`
   * does. Seconds from the first compose until the reader has parsed every mail.
   */
  floorTransfer(work: StackFloorWork, count: number, bodyBytes: number): Promise<number>
  close(): Promise<void>
}

/** Two stores in temp dirs, connected (one listens, the other dials it) and replicating one core. */
export async function openRawPair(bootstrap: BootstrapNode[]): Promise<RawPair> {
  const dir = await mkdtemp(join(tmpdir(), 'peermail-bench-raw-'))
  const writerStore = new Corestore(join(dir, 'writer'))
  const readerStore = new Corestore(join(dir, 'reader'))
  const swarms: Hyperswarm[] = []
  const makeSwarm = (store: Corestore): Hyperswarm => {
    const swarm = replicatingSwarm(bootstrap, store)
    swarms.push(swarm)
    return swarm
  }
  const close = async () => {
    for (const swarm of swarms) await swarm.destroy()
    await writerStore.close()
    await readerStore.close()
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const writer = writerStore.get({ name: 'bench' })
    await writer.ready()
    const reader = readerStore.get({ key: writer.key as Buffer })
    await reader.ready()
    const server = makeSwarm(writerStore)
    await server.listen()
    const client = makeSwarm(readerStore)
    const connected = new Promise<void>((resolve) =>
      client.once('connection', () => {
        resolve()
      }),
    )
    client.joinPeer(server.keyPair.publicKey)
    await connected
    // One block through first, so the timed transfers start on a replicating pair.
    await transfer(writer, reader, 1, 16)
    return {
      transfer: (count, bytes) => transfer(writer, reader, count, bytes),
      floorTransfer: (work, count, bodyBytes) =>
        floorTransfer(work, writer, reader, count, bodyBytes),
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

async function transfer(
  writer: Hypercore,
  reader: Hypercore,
  count: number,
  bytes: number,
): Promise<number> {
  const payload = randomBytes(bytes)
  const blocks: Buffer[] = []
  for (let at = 0; at < bytes; at += CHUNK_BYTES)
    blocks.push(payload.subarray(at, at + CHUNK_BYTES))
  const start = writer.length
  const end = start + count * blocks.length
  const began = process.hrtime.bigint()
  const received = waitForLength(reader, end).then(() => reader.download({ start, end }).done())
  let round: Buffer[] = []
  let roundBytes = 0
  let roundMessages = 0
  for (let i = 0; i < count; i++) {
    // Each message gets its own bytes (the first 8 differ), as distinct mails would.
    const first = Buffer.from(blocks[0] as Buffer)
    first.writeUInt32BE(i, 0)
    first.writeUInt32BE(start, 4)
    round.push(first, ...blocks.slice(1))
    roundBytes += bytes
    roundMessages++
    if (roundMessages >= ROUND_MESSAGES || roundBytes >= ROUND_BYTES || i === count - 1) {
      await writer.append(round)
      round = []
      roundBytes = 0
      roundMessages = 0
    }
  }
  await received
  return Number(process.hrtime.bigint() - began) / 1e9
}

async function floorTransfer(
  work: StackFloorWork,
  writer: Hypercore,
  reader: Hypercore,
  count: number,
  bodyBytes: number,
): Promise<number> {
  const logKey = writer.key as Buffer
  const start = writer.length
  const end = start + count
  const began = process.hrtime.bigint()
  reader.download({ start, end })
  const received = work.readLog(reader, start, end)
  for (let at = 0; at < count; at += ROUND_MESSAGES) {
    const round: Buffer[] = []
    for (let i = at; i < Math.min(count, at + ROUND_MESSAGES); i++)
      round.push(await work.sealMail(logKey, start + i, bodyBytes))
    await writer.append(round)
  }
  await received
  return Number(process.hrtime.bigint() - began) / 1e9
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
