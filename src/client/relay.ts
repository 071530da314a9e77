import { mkdir, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import {
  encodeAddress,
  generateSeed,
  signingKeyPairFromSeed,
  wipe,
  type SigningKeyPair,
} from '../crypto/index.js'
import { createCorestore } from '../mailbox/index.js'
import { publish, syncDirectory, writeTempFile } from '../shared/atomic-file.js'
import { createSwarm, RelayServer, type BootstrapNode, type RelayOptions } from '../sync/index.js'
import { lockHome } from './home-lock.js'

export interface OpenRelayOptions extends RelayOptions {
  /** The relay's directory: its identity seed and the logs it holds. */
  home: string
  /** DHT bootstrap nodes; default the public HyperDHT. */
  bootstrap?: BootstrapNode[]
  /** Where trouble is reported (a client dropped, a failed prune); default nowhere. */
  log?: (event: string, detail: Record<string, unknown>) => void
}

/** A running relay. */
export interface Relay {
  /** What accounts name in `openAccount({ relays })`: the relay's `pm1…` address. */
  readonly address: string
  readonly publicKey: Buffer
  close(): Promise<void>
}

const IDENTITY_FILE = 'relay-identity'

/**
 * Runs a relay in `home` (created on first use): a blind mirror holding registered accounts' pair logs
 * (docs/protocol.md §15). Its identity is a random seed kept in `home`; it holds no key to any mail.
 */
export async function openRelay(options: OpenRelayOptions): Promise<Relay> {
  await mkdir(options.home, { recursive: true, mode: 0o700 })
  const lock = await lockHome(options.home)
  const cleanup: (() => Promise<void>)[] = [() => lock.release()]
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {})
  }
  try {
    const identity = await relayIdentity(options.home)
    cleanup.push(() => {
      wipe(identity.secretKey)
      return Promise.resolve()
    })
    const store = createCorestore(join(options.home, 'cores'))
    cleanup.push(() => store.close())
    const swarm = createSwarm({
      identity,
      ...(options.bootstrap ? { bootstrap: options.bootstrap } : {}),
    })
    cleanup.push(() => swarm.destroy())
    const server = new RelayServer(
      { store, swarm, identity, ...(options.log ? { log: options.log } : {}) },
      options,
    )
    cleanup.push(() => server.close())
    await server.ready()
    let closing: Promise<void> | null = null
    return {
      address: encodeAddress(identity.publicKey),
      publicKey: Buffer.from(identity.publicKey),
      close: () => (closing ??= unwind()),
    }
  } catch (err) {
    await unwind()
    throw err
  }
}

async function relayIdentity(home: string): Promise<SigningKeyPair> {
  const path = join(home, IDENTITY_FILE)
  let seed: Buffer
  try {
    seed = await readFile(path)
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') throw err
    seed = generateSeed()
    const { temp } = await writeTempFile(home, (handle) => handle.writeFile(seed))
    if (!(await publish(temp, path))) {
      await unlink(temp).catch(() => {})
      throw new Error(`${path} appeared while it was being created`)
    }
    await syncDirectory(home)
  }
  const identity = signingKeyPairFromSeed(seed)
  wipe(seed)
  return identity
}
