import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import type Corestore from 'corestore'
import { join } from 'node:path'
import {
  createVaultFile,
  deriveAccountKeys,
  deriveSubkey,
  encodeAddress,
  generateSeed,
  openVaultFile,
  phraseToSeed,
  seedToPhrase,
  wipe,
  wipeAccountKeys,
  type VaultParams,
} from '../crypto/index.js'
import { AliasClient } from '../bridge/alias-client.js'
import {
  createCorestore,
  createMimeParser,
  LogSync,
  exportMail,
  importMail,
  openMailbox,
  type ExportOptions,
  type ImportOptions,
  type ImportReport,
  type Mailbox,
} from '../mailbox/index.js'
import {
  createSwarm,
  PrekeyStore,
  SyncEngine,
  type BootstrapNode,
  type PrekeyPolicy,
  type SyncOptions,
} from '../sync/index.js'
import { ClientError } from './errors.js'
import { lockHome } from './home-lock.js'

/** Where an account keeps its files: `vault` (the seed, passphrase-locked) and `cores/` (all data). */
export const VAULT_FILE = 'vault'
export const CORES_DIR = 'cores'
/** Pair logs live in a store of their own: it is the only one peers replicate from. */
export const PAIR_LOGS_DIR = 'pair-logs'
/** The prekey secrets: a small encrypted file, rewritten (never appended) so old secrets are gone. */
export const PREKEYS_FILE = 'prekeys'
/** The account's address in the clear (it is public), so `whoami` needs no passphrase. */
export const ADDRESS_FILE = 'address'

export interface AccountOptions {
  home: string
  passphrase: string
  /** Argon2id limits for a new vault; default libsodium's moderate. Tests pass smaller ones. */
  vaultParams?: VaultParams
}

/** Going online: how to reach the DHT and how to treat peers. */
export interface NetworkOptions extends SyncOptions {
  /** DHT bootstrap nodes; default the public HyperDHT. */
  bootstrap?: BootstrapNode[]
  /** Redial delays for peers we owe mail (ms); tests shorten them. */
  backoffs?: [number, number, number, number]
  /** Prekey rotation (forward secrecy); tests shorten the periods. */
  prekeyPolicy?: Partial<PrekeyPolicy>
  /** Clock for delivery and prekeys; tests move it forward. */
  now?: () => number
  /** Where delivery trouble is reported (a peer dropped, a relay refusing); default nowhere. */
  log?: (event: string, detail: Record<string, unknown>) => void
  /** Build the sync engine but let the caller start it (after subscribing to its events). */
  deferStart?: boolean
}

/**
 * Creates an account in `home`: a new seed (or the one a recovery phrase gives back), locked in the vault
 * by the passphrase. Returns the address and the phrase, which is shown once and never stored.
 */
export async function createAccount(
  options: AccountOptions & { phrase?: string },
): Promise<{ address: string; phrase: string }> {
  const seed = options.phrase === undefined ? generateSeed() : phraseToSeed(options.phrase)
  try {
    await mkdir(options.home, { recursive: true, mode: 0o700 })
    if (await exists(join(options.home, VAULT_FILE))) throw ClientError.ACCOUNT_EXISTS(options.home)
    await createVaultFile(
      join(options.home, VAULT_FILE),
      seed,
      options.passphrase,
      options.vaultParams,
    )
    const keys = deriveAccountKeys(seed)
    const address = encodeAddress(keys.identity.publicKey)
    wipeAccountKeys(keys)
    await writeFile(join(options.home, ADDRESS_FILE), `${address}\n`, { mode: 0o644 })
    return { address, phrase: seedToPhrase(seed) }
  } finally {
    wipe(seed)
  }
}

/**
 * The recovery phrase of the account in `home`, for a user who proved they know its passphrase: the vault
 * is unlocked afresh (Argon2id, as at open), so a wrong passphrase throws VAULT_WRONG_PASSPHRASE. The
 * seed is wiped at once; the phrase is only returned, never stored or logged.
 */
export async function revealRecoveryPhrase(home: string, passphrase: string): Promise<string> {
  if (!(await hasAccount(home))) throw ClientError.NO_ACCOUNT(home)
  const seed = await openVaultFile(join(home, VAULT_FILE), passphrase)
  try {
    return seedToPhrase(seed)
  } finally {
    wipe(seed)
  }
}

/** Resolves when `passphrase` unlocks the account's vault; throws VAULT_WRONG_PASSPHRASE otherwise. */
export async function verifyPassphrase(home: string, passphrase: string): Promise<void> {
  if (!(await hasAccount(home))) throw ClientError.NO_ACCOUNT(home)
  wipe(await openVaultFile(join(home, VAULT_FILE), passphrase))
}

/** The account's address without unlocking it. */
export async function readAddress(home: string): Promise<string> {
  if (!(await hasAccount(home))) throw ClientError.NO_ACCOUNT(home)
  return (await readFile(join(home, ADDRESS_FILE), 'utf8')).trim()
}

/** True when `home` holds an account. */
export async function hasAccount(home: string): Promise<boolean> {
  return exists(join(home, VAULT_FILE))
}

/** An open account: the one place the CLI, the local server and Electron get a mailbox (and later a swarm). */
export interface PeermailNode {
  readonly home: string
  readonly address: string
  readonly identityPublicKey: Buffer
  readonly mailbox: Mailbox
  /** Present when the node was opened with `network`: delivery to and from peers. */
  readonly sync?: SyncEngine
  /** Present with `sync`: alias requests to bridges, signed by this account. */
  readonly aliases?: AliasClient
  /** Forces everything written so far to disk (fsync), for promises of durability (the bridge's 250). */
  flush(): Promise<void>
  importMail(paths: string[], options?: ImportOptions): Promise<ImportReport>
  exportMail(options: ExportOptions): Promise<{ messages: number; bytes: number }>
  /** Idempotent; releases the home for other processes. */
  close(): Promise<void>
}

/**
 * Opens the account in `home` (vault → keys → Corestore → mailbox). Throws NO_ACCOUNT, ALREADY_OPEN (with
 * the other process's pid) or VAULT_WRONG_PASSPHRASE; on any failure everything opened so far is closed.
 */
export async function openNode(
  options: AccountOptions & { network?: NetworkOptions },
): Promise<PeermailNode> {
  if (!(await hasAccount(options.home))) throw ClientError.NO_ACCOUNT(options.home)
  const lock = await lockHome(options.home)
  const cleanup: (() => Promise<void>)[] = [() => lock.release()]
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {})
  }
  try {
    const seed = await openVaultFile(join(options.home, VAULT_FILE), options.passphrase)
    const keys = deriveAccountKeys(seed)
    wipe(seed)
    // The secret keys stay in memory only while the sync engine needs them; they are wiped after it
    // has stopped (cleanup runs in reverse), never under a seal in progress.
    cleanup.push(() => {
      wipeAccountKeys(keys)
      return Promise.resolve()
    })
    // Corestore keeps its own random, per-device primary key: these cores are this device's and never
    // written from another one (a second writer would fork them), so they must not derive from the seed.
    const store = createCorestore(join(options.home, CORES_DIR))
    cleanup.push(() => store.close())
    const stores = [store]
    const parser = createMimeParser()
    cleanup.push(() => parser.close())
    // Online, mail may arrive at once: load the parser worker now rather than on the first mail.
    if (options.network) parser.ready().catch(() => {})
    const mailbox = await openMailbox(
      { store: store.namespace('mailbox'), parser },
      {
        storageKey: keys.storageKey,
        ...(options.network?.maxMessageBytes !== undefined
          ? { maxMessageBytes: options.network.maxMessageBytes }
          : {}),
      },
    )
    cleanup.push(() => mailbox.close())
    const identityPublicKey = Buffer.from(keys.identity.publicKey)
    let sync: SyncEngine | undefined
    let aliases: AliasClient | undefined
    if (options.network) {
      sync = await startSync(options.home, mailbox, keys, options.network, cleanup, stores)
      const client = (aliases = new AliasClient(sync, keys.identity, options.network.now))
      cleanup.push(() => {
        client.close()
        return Promise.resolve()
      })
    } else {
      wipeAccountKeys(keys)
    }
    // Descriptors on the stores' write-ahead logs, opened on the first flush and kept for the next.
    const logs = stores.map((s) => LogSync.of(s))
    cleanup.push(() => Promise.all(logs.map((l) => l.close())).then(() => {}))
    let closing: Promise<void> | null = null
    const node: PeermailNode = {
      home: options.home,
      address: encodeAddress(identityPublicKey),
      identityPublicKey,
      mailbox,
      importMail: (paths, opts) => importMail(mailbox, paths, opts),
      exportMail: (opts) => exportMail(mailbox, opts),
      flush: async () => {
        await Promise.all(logs.map((l) => l.sync()))
      },
      close: () => (closing ??= unwind()),
    }
    return sync && aliases ? { ...node, sync, aliases } : node
  } catch (err) {
    await unwind()
    throw err
  }
}

// Pair-log store, swarm and engine, registered for teardown in the right order: the engine stops its
// sessions first, then the swarm goes (no more connections), then the store closes.
async function startSync(
  home: string,
  mailbox: Mailbox,
  keys: ReturnType<typeof deriveAccountKeys>,
  network: NetworkOptions,
  cleanup: (() => Promise<void>)[],
  stores: Corestore[],
): Promise<SyncEngine> {
  const store = createCorestore(join(home, PAIR_LOGS_DIR))
  cleanup.push(() => store.close())
  stores.push(store)
  // The firewall is consulted for every connection; it can only ask the engine once the engine exists.
  const blocked = { check: (_key: Buffer) => false }
  const swarm = createSwarm({
    identity: keys.identity,
    ...(network.bootstrap ? { bootstrap: network.bootstrap } : {}),
    ...(network.backoffs ? { backoffs: network.backoffs } : {}),
    firewall: (key) => blocked.check(key),
  })
  cleanup.push(() => swarm.destroy())
  const prekeys = await PrekeyStore.open(
    join(home, PREKEYS_FILE),
    deriveSubkey(keys.storageKey, 'PMPREKEY'),
    network.prekeyPolicy,
  )
  cleanup.push(() => {
    prekeys.close()
    return Promise.resolve()
  })
  const engine = new SyncEngine(
    {
      mailbox,
      store,
      swarm,
      identity: keys.identity,
      encryption: keys.encryption,
      prekeys,
      ...(network.now ? { now: network.now } : {}),
      ...(network.log ? { log: network.log } : {}),
    },
    network,
  )
  blocked.check = (key) => engine.isBlocked(key)
  cleanup.push(() => engine.close())
  if (!network.deferStart) await engine.ready()
  return engine
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
