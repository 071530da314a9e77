/**
 * The stack's floor under the bridge, for bench/bridge.ts: the least that the bridge's design asks of a
 * server before `250`, built straight on the libraries. An smtp-server that checks each message with
 * mailauth (through the bridge's own `withAuthenticationResults`), seals it to one account for its place
 * in a Hypercore, appends it and syncs the store's write-ahead log; messages that arrive meanwhile share
 * one append and one sync, as in the bridge. Nothing else: no recipient lookup, rate limits, aliases,
 * engine or outbox.
 *
 * Beside the bare server it shows how much of the bridge's gap the stack itself imposes (mailauth, sealing,
 * a durable Hypercore append), and beside the bridge how much is the bridge's own.
 */
import { join } from 'node:path'
import { withAuthenticationResults, type DNSResolver } from '../src/bridge/authenticate.js'
import {
  generateEncryptionKeyPair,
  randomBytes,
  signingKeyPairFromSeed,
} from '../src/crypto/index.js'
import { createCorestore, LogSync } from '../src/mailbox/index.js'
import { frameMail } from '../src/sync/frames.js'
import { sealBlock } from '../src/sync/pair-log.js'
import { startBenchSmtp, type BenchSmtp } from './bench-smtp.js'

/** As the bridge's InboundDelivery: most messages sealed in one batch. */
const MAX_BATCH = 64

interface Waiting {
  raw: Buffer
  resolve(): void
  reject(err: unknown): void
}

/** Starts the floor server on 127.0.0.1 with its store in `dir`; `resolver` answers mailauth's DNS. */
export async function openStackFloor(dir: string, resolver: DNSResolver): Promise<BenchSmtp> {
  const store = createCorestore(join(dir, 'store'))
  const log = store.get({ name: 'pair-log' })
  await log.ready()
  const wal = LogSync.of(store)
  const sender = signingKeyPairFromSeed(randomBytes(32))
  const recipient = {
    identityPublicKey: signingKeyPairFromSeed(randomBytes(32)).publicKey,
    encryptionPublicKey: generateEncryptionKeyPair().publicKey,
  }
  const waiting: Waiting[] = []
  let pumping = false

  // Group commit: seal and append what waits, sync, answer; then the next batch.
  const pump = async () => {
    if (pumping) return
    pumping = true
    try {
      while (waiting.length > 0) {
        const batch = waiting.splice(0, MAX_BATCH)
        try {
          const logKey = log.key as Buffer
          const blocks = batch.flatMap(({ raw }) => frameMail(raw))
          await log.append(
            blocks.map((frame, i) =>
              sealBlock(frame, { logKey, seq: log.length + i }, sender, recipient),
            ),
          )
          await wal.sync()
          for (const item of batch) item.resolve()
        } catch (err) {
          for (const item of batch) item.reject(err)
        }
      }
    } finally {
      pumping = false
    }
  }

  const server = await startBenchSmtp(async (message, session) => {
    const origin = {
      ip: session.remoteAddress,
      helo: session.hostNameAppearsAs || '',
      sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    }
    const raw = await withAuthenticationResults(message, origin, 'bridge.test', resolver)
    await new Promise<void>((resolve, reject) => {
      waiting.push({ raw, resolve, reject })
      void pump()
    })
  })
  return {
    port: server.port,
    close: async () => {
      await server.close()
      await wal.close()
      await store.close()
    },
  }
}
