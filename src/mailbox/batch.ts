import type Hyperbee from 'hyperbee'
import type { Batch } from 'hyperbee'
import { pendingBlocks, rememberBlocks } from './node-cache.js'

/**
 * Runs `fn` against one Hyperbee batch and flushes it as a single atomic append. If `fn` throws nothing is
 * written, and the batch is always closed so its lock never outlives the operation. The appended tree
 * nodes stay in the bee's node cache (see node-cache.ts), so the next operation does not read them back.
 */
export async function inBatch<T>(
  bee: Hyperbee,
  fn: (batch: Batch<unknown>) => Promise<T>,
): Promise<T> {
  const batch = bee.batch()
  try {
    const result = await fn(batch)
    const written = pendingBlocks(batch)
    await batch.flush()
    if (written) rememberBlocks(bee, written)
    return result
  } finally {
    await batch.close()
  }
}
