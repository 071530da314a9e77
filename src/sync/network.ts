import HyperDHT, { type BootstrapNode } from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import type { SigningKeyPair } from '../crypto/index.js'
import { SyncError } from './errors.js'

export type { BootstrapNode }

/**
 * The port range a loopback DHT node binds: none, so the kernel picks a free port. HyperDHT otherwise
 * tries 49737-49741 first (the public DHT's port; port 0 counts as "default"), and on one machine a node
 * that takes a port a closed node had also gets that node's old neighbours: separate local networks (tests
 * running side by side) leaked into each other, and a node meant to be offline heard from strangers.
 */
export const ANY_PORT: [number, number] = [0, 0]

/** A private DHT on 127.0.0.1, for tests, the demo and benchmarks. */
export interface LocalNetwork {
  bootstrap: BootstrapNode[]
  close(): Promise<void>
}

/** Starts a three-node DHT bound to 127.0.0.1, on ports the kernel picks. Nothing leaves the machine. */
export async function createLocalNetwork(): Promise<LocalNetwork> {
  const nodes: HyperDHT[] = []
  const destroy = async () => {
    for (const node of nodes) await node.destroy()
  }
  try {
    const bootstrap: BootstrapNode[] = []
    for (let i = 0; i < 3; i++) {
      // Persistent, reachable nodes (as hyperdht/testnet makes them), all bootstrapping from the first.
      const node = new HyperDHT({
        ephemeral: false,
        firewalled: false,
        bootstrap,
        host: '127.0.0.1',
        port: ANY_PORT,
      })
      nodes.push(node)
      await node.fullyBootstrapped()
      if (i === 0) bootstrap.push({ host: '127.0.0.1', port: node.address().port })
    }
    let closing: Promise<void> | null = null
    return { bootstrap, close: () => (closing ??= destroy()) }
  } catch (err) {
    await destroy()
    throw err
  }
}

export interface SwarmOptions {
  identity: SigningKeyPair
  /** DHT bootstrap nodes; default the public HyperDHT. Loopback-only lists keep the DHT on loopback. */
  bootstrap?: BootstrapNode[]
  /** Refuse a peer (checked for every connection). */
  firewall?: (remotePublicKey: Buffer) => boolean
  /** Redial delays for peers we owe mail, ms. Default 1 s, 5 s, 15 s, then every 2 minutes. */
  backoffs?: [number, number, number, number]
}

const DEFAULT_BACKOFFS: [number, number, number, number] = [1000, 5000, 15000, 120000]

/**
 * A Hyperswarm whose Noise identity is the account's identity key, so peers dial us by our address and
 * `remotePublicKey` on every connection is the other account's proven identity.
 */
export function createSwarm(options: SwarmOptions): Hyperswarm {
  const keyPair = { publicKey: options.identity.publicKey, secretKey: options.identity.secretKey }
  const loopback =
    options.bootstrap !== undefined &&
    options.bootstrap.length > 0 &&
    options.bootstrap.every((node) => isLoopback(node.host))
  // Bound to 127.0.0.1 the DHT never tries this machine's other addresses (which time out here).
  const dht = new HyperDHT({
    keyPair,
    ...(options.bootstrap ? { bootstrap: options.bootstrap } : {}),
    ...(loopback ? { host: '127.0.0.1', port: ANY_PORT } : {}),
  })
  const firewall = options.firewall
  return new Hyperswarm({
    keyPair,
    dht,
    backoffs: options.backoffs ?? DEFAULT_BACKOFFS,
    ...(firewall ? { firewall: (key: Buffer) => firewall(key) } : {}),
  })
}

/** Parses `host:port` (as the CLI's --bootstrap takes it). */
export function parseBootstrap(text: string): BootstrapNode {
  const match = /^([A-Za-z0-9.-]{1,253}|\[[0-9a-fA-F:]{2,39}\]):(\d{1,5})$/.exec(text.trim())
  const port = match ? Number(match[2]) : 0
  if (!match?.[1] || port < 1 || port > 65535)
    throw SyncError.INVALID_ARGUMENT(`bootstrap node ${JSON.stringify(text)} (expected host:port)`)
  return { host: match[1], port }
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost'
}
