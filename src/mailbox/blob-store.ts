import type Hypercore from 'hypercore'
import { CryptoError, openSecretBox, sealSecretBox } from '../crypto/index.js'
import { MailboxError } from './errors.js'

/** Where a raw message lives in the blob log: blocks `[start, start + count)`, `length` bytes in all. */
export interface BlobRef {
  start: number
  count: number
  length: number
}

/** Plaintext bytes per block: large enough that per-block costs vanish, small enough to clear precisely. */
export const BLOB_CHUNK_BYTES = 64 * 1024
/** Most plaintext bytes appended in one write (see {@link BlobStore.putMany}). */
const APPEND_BYTES = 4 * 1024 * 1024
/** Blocks read concurrently when fetching a blob: 4 MiB in flight at most. */
const READ_WINDOW = 64
const HEADER = Buffer.from('peermail/v1/mailbox-blobs')
const CHUNK_DOMAIN = 'peermail/v1/mailbox-blob'

/**
 * Raw messages, encrypted at rest in an append-only Hypercore: each block is a secretbox
 * (XChaCha20-Poly1305) whose associated data binds the blob's first block, its block count and the
 * block's position, so blocks cannot be swapped, reordered or truncated undetected. Block 0 is a sealed
 * header, so opening with the wrong key fails at once with MAILBOX_WRONG_KEY instead of reading garbage.
 * Writes must be serialised by the caller (positions are computed from the current length).
 */
export class BlobStore {
  constructor(
    private readonly core: Hypercore,
    private readonly key: Buffer,
  ) {}

  /** Opens the log, writing the header on first use and checking the key otherwise. */
  async ready(): Promise<void> {
    await this.core.ready()
    if (this.core.length === 0) {
      await this.core.append(sealSecretBox(this.key, HEADER, HEADER))
      return
    }
    const header = await this.core.get(0)
    try {
      if (!header || !openSecretBox(this.key, header, HEADER).equals(HEADER))
        throw MailboxError.WRONG_KEY()
    } catch (err) {
      if (err instanceof CryptoError) throw MailboxError.WRONG_KEY()
      throw err
    }
  }

  /**
   * Appends several blobs, returning their refs in order. Small ones share one write (one storage batch: the
   * stack's cost is per write); the blocks go out in writes of at most {@link APPEND_BYTES}, so a large blob
   * (a 50 MB message, a search snapshot) is neither sealed whole in memory first nor one huge storage batch
   * that the next open must replay. A crash part-way leaves blocks no index entry points to: wasted space,
   * never a wrong message.
   */
  async putMany(raws: Buffer[]): Promise<BlobRef[]> {
    let next = this.core.length
    let pending: Buffer[] = []
    let pendingBytes = 0
    const refs: BlobRef[] = []
    for (const raw of raws) {
      const count = Math.max(1, Math.ceil(raw.byteLength / BLOB_CHUNK_BYTES))
      const ref = { start: next, count, length: raw.byteLength }
      for (let i = 0; i < count; i++) {
        const chunk = raw.subarray(i * BLOB_CHUNK_BYTES, (i + 1) * BLOB_CHUNK_BYTES)
        if (pendingBytes + chunk.byteLength > APPEND_BYTES) {
          await this.core.append(pending)
          pending = []
          pendingBytes = 0
        }
        pending.push(sealSecretBox(this.key, chunk, chunkAd(ref, i)))
        pendingBytes += chunk.byteLength
      }
      refs.push(ref)
      next += count
    }
    if (pending.length > 0) await this.core.append(pending)
    return refs
  }

  /** Reads and authenticates a blob. A damaged or missing block is MAILBOX_CORRUPT. */
  async get(ref: BlobRef): Promise<Buffer> {
    const expected = Math.max(1, Math.ceil(ref.length / BLOB_CHUNK_BYTES))
    if (ref.count !== expected)
      throw MailboxError.CORRUPT('message length does not match its index entry')
    // Blocks are read a window at a time (the storage layer batches concurrent reads into one RocksDB
    // read) and decrypted straight into the result, so a large blob (a search snapshot) is held once.
    const raw = Buffer.allocUnsafe(ref.length)
    for (let first = 0; first < ref.count; first += READ_WINDOW) {
      const window = Math.min(READ_WINDOW, ref.count - first)
      const blocks = await Promise.all(
        Array.from({ length: window }, (_, j) =>
          this.core.get(ref.start + first + j, { wait: false }),
        ),
      )
      blocks.forEach((block, j) => {
        const i = first + j
        if (!block) throw MailboxError.CORRUPT(`message block ${ref.start + i} is missing`)
        const into = raw.subarray(
          i * BLOB_CHUNK_BYTES,
          Math.min(ref.length, (i + 1) * BLOB_CHUNK_BYTES),
        )
        try {
          openSecretBox(this.key, block, chunkAd(ref, i), into)
        } catch {
          throw MailboxError.CORRUPT(`message block ${ref.start + i} failed authentication`)
        }
      })
    }
    return raw
  }

  /** Erases a blob's blocks from disk (delete for good). */
  async clear(ref: BlobRef): Promise<void> {
    await this.core.clear(ref.start, ref.start + ref.count)
  }

  async close(): Promise<void> {
    await this.core.close()
  }

  /** True when every block of the blob is still on disk. */
  async has(ref: BlobRef): Promise<boolean> {
    return this.core.has(ref.start, ref.start + ref.count)
  }
}

function chunkAd(ref: BlobRef, index: number): Buffer {
  const ad = Buffer.alloc(CHUNK_DOMAIN.length + 16)
  ad.write(CHUNK_DOMAIN)
  ad.writeUInt32BE(Math.floor(ref.start / 2 ** 32), CHUNK_DOMAIN.length)
  ad.writeUInt32BE(ref.start % 2 ** 32, CHUNK_DOMAIN.length + 4)
  ad.writeUInt32BE(ref.count, CHUNK_DOMAIN.length + 8)
  ad.writeUInt32BE(index, CHUNK_DOMAIN.length + 12)
  return ad
}
