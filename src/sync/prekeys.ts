import { readFile, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import {
  encryptionKeyPairFromSecret,
  generateEncryptionKeyPair,
  openSecretBox,
  sealSecretBox,
  wipe,
  type EncryptionKeyPair,
} from '../crypto/index.js'
import { syncDirectory, writeTempFile } from '../shared/atomic-file.js'
import { FrameReader, u16, u64, u8 } from './codec.js'
import { SyncError } from './errors.js'

/** A prekey as the profile publishes it. */
export interface PublishedPrekey {
  publicKey: Buffer
  expiresAt: number
}

interface Prekey {
  pair: EncryptionKeyPair
  createdAt: number
  expiresAt: number
}

export interface PrekeyPolicy {
  /** A new prekey once the newest is this old (ms). Default 7 days. */
  rotateEveryMs: number
  /** Senders may seal to a prekey for this long after it is made (ms). Default 14 days. */
  lifetimeMs: number
  /** Its secret is kept this long after it expires, for mail still on its way (ms). Default 30 days. */
  graceMs: number
}

export const DEFAULT_PREKEY_POLICY: PrekeyPolicy = {
  rotateEveryMs: 7 * 24 * 3600 * 1000,
  lifetimeMs: 14 * 24 * 3600 * 1000,
  graceMs: 30 * 24 * 3600 * 1000,
}

const FILE_VERSION = 1
const AD = Buffer.from('peermail/v1/prekeys')
/** The profile carries at most this many prekeys. */
export const MAX_PUBLISHED_PREKEYS = 4

/**
 * Forward secrecy (docs/protocol.md §14): random X25519 prekeys, never derived from the seed, published
 * signed in the profile and rotated; their secrets live only in this file (a secretbox under a key from
 * the account) and are deleted once expired and past the grace period. Mail sealed to a deleted prekey is
 * gone for everyone, the seed's owner included: its plaintext survives only in the mailbox it was
 * re-stored into.
 *
 *   file = secretbox(key, version(1) ‖ count(2) ‖ (secret(32) ‖ createdAt(8) ‖ expiresAt(8))*,
 *                    ad = "peermail/v1/prekeys")
 */
export class PrekeyStore {
  private keys: Prekey[] = []

  private constructor(
    private readonly path: string,
    private readonly fileKey: Buffer,
    private readonly policy: PrekeyPolicy,
  ) {}

  /** Opens (or starts) the prekey file at `path`, encrypted under `fileKey`. */
  static async open(
    path: string,
    fileKey: Buffer,
    policy: Partial<PrekeyPolicy> = {},
  ): Promise<PrekeyStore> {
    const store = new PrekeyStore(path, Buffer.from(fileKey), {
      ...DEFAULT_PREKEY_POLICY,
      ...policy,
    })
    let box: Buffer | undefined
    try {
      box = await readFile(path)
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ENOENT') throw err
    }
    if (box) store.keys = decodeFile(openSecretBox(fileKey, box, AD))
    return store
  }

  /**
   * Makes a new prekey when the newest is due, and deletes secrets past their grace period. Returns true
   * when the published set changed (the profile must be re-signed).
   */
  async maintain(now: number): Promise<boolean> {
    const keep = this.keys.filter((k) => k.expiresAt + this.policy.graceMs > now)
    const dropped = this.keys.filter((k) => !keep.includes(k))
    const newest = keep.reduce((a, k) => Math.max(a, k.createdAt), -Infinity)
    const rotate = now - newest >= this.policy.rotateEveryMs
    if (rotate) {
      keep.push({
        pair: generateEncryptionKeyPair(),
        createdAt: now,
        expiresAt: now + this.policy.lifetimeMs,
      })
    }
    if (!rotate && dropped.length === 0) return false
    this.keys = keep
    await this.save()
    for (const k of dropped) wipe(k.pair.secretKey)
    return true
  }

  /** The prekeys senders may seal to now, newest first. */
  published(now: number): PublishedPrekey[] {
    return this.keys
      .filter((k) => k.expiresAt > now)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, MAX_PUBLISHED_PREKEYS)
      .map((k) => ({ publicKey: k.pair.publicKey, expiresAt: k.expiresAt }))
  }

  /** The keypair with this key id, while its secret is kept. */
  find(keyId: Buffer): EncryptionKeyPair | undefined {
    return this.keys.find((k) => k.pair.keyId.equals(keyId))?.pair
  }

  /** Forgets the secrets held in memory (the file stays). */
  close(): void {
    for (const k of this.keys) wipe(k.pair.secretKey)
    this.keys = []
    wipe(this.fileKey)
  }

  private async save(): Promise<void> {
    const body = Buffer.concat([
      u8(FILE_VERSION),
      u16(this.keys.length),
      ...this.keys.flatMap((k) => [k.pair.secretKey, u64(k.createdAt), u64(k.expiresAt)]),
    ])
    const box = sealSecretBox(this.fileKey, body, AD)
    wipe(body)
    const dir = dirname(this.path)
    const { temp } = await writeTempFile(dir, (handle) => handle.writeFile(box))
    // Replacing the file is the deletion: the old secrets are not in the new file.
    await rename(temp, this.path)
    await syncDirectory(dir)
  }
}

function decodeFile(body: Buffer): Prekey[] {
  const reader = new FrameReader(body, 'prekey file')
  if (reader.u8() !== FILE_VERSION) throw SyncError.BAD_FRAME('prekey file (version)')
  const count = reader.u16()
  const keys: Prekey[] = []
  for (let i = 0; i < count; i++) {
    const secret = Buffer.from(reader.bytesOf(32))
    const createdAt = reader.u64()
    const expiresAt = reader.u64()
    keys.push({ pair: encryptionKeyPairFromSecret(secret), createdAt, expiresAt })
  }
  reader.end()
  wipe(body)
  return keys
}
