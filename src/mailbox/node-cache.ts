import { createRequire } from 'node:module'
import type Hyperbee from 'hyperbee'
import type { Batch } from 'hyperbee'

/**
 * Keeps the tree nodes a write batch appends in Hyperbee's node cache, as a read of them would.
 *
 * Why: Hyperbee caches a node only once it is read, and every write rewrites the path from the root to each
 * key it touches. So the next operation re-reads those fresh nodes from storage one at a time, each a
 * RocksDB read on the thread pool: ~12 reads and ~2.5 ms for storing one mail, most of that operation's
 * time. The blocks are the very bytes the batch appended (a copy taken before the append, so encryption
 * cannot touch them), decoded as a read would decode them, cached under the positions they were appended at.
 *
 * This reaches into Hyperbee's internals (checked at runtime: missing internals mean no warming, never a
 * wrong read). Only for a bee whose writes are serialised (the mailbox's write lock): the positions are
 * taken from the core's length while the batch holds Hyperbee's lock.
 */

interface DecodedNode {
  key: Uint8Array
  value: Uint8Array | null
  index: Uint8Array | null
}

/** A node as Hyperbee's reads cache it: decoded, its index inflated on first use. */
interface CachedNode extends DecodedNode {
  inflated: null
}

interface BatchInternals {
  length: number
  core: { length: number }
  toBlocks(): Uint8Array[]
}

interface BeeInternals {
  _nodeCache: { set(seq: number, node: CachedNode): void } | null
}

const { Node } = createRequire(import.meta.url)('hyperbee/lib/messages.js') as {
  Node: { decode(block: Uint8Array): DecodedNode }
}

/** Blocks a batch is about to append, and the position of the first. */
export interface PendingBlocks {
  start: number
  blocks: Buffer[]
}

/** Copies of the blocks `batch` will append on flush; null when it writes nothing (or is not a Hyperbee batch). */
export function pendingBlocks(batch: Batch<unknown>): PendingBlocks | null {
  const internals = batch as unknown as Partial<BatchInternals>
  if (typeof internals.toBlocks !== 'function' || !internals.length || !internals.core) return null
  // toBlocks() is memoised: flush() appends exactly these. Each copy gets memory of its own (not a slice
  // of Node's shared pool), as a cached node keeps its block alive.
  const blocks = internals.toBlocks().map((block) => {
    const copy = Buffer.allocUnsafeSlow(block.byteLength)
    copy.set(block)
    return copy
  })
  return { start: internals.core.length, blocks }
}

/** Puts appended blocks into `bee`'s node cache, decoded as a read would. Call once they are appended. */
export function rememberBlocks(bee: Hyperbee, written: PendingBlocks): void {
  const cache = (bee as unknown as Partial<BeeInternals>)._nodeCache
  if (!cache || typeof cache.set !== 'function') return
  for (const [i, block] of written.blocks.entries()) {
    const { key, value, index } = Node.decode(block)
    cache.set(written.start + i, { key, value, index, inflated: null })
  }
}
