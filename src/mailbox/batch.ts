import type Hyperbee from 'hyperbee'
import type { Batch } from 'hyperbee'

/**
 * Runs `fn` against one Hyperbee batch and flushes it as a single atomic append. If `fn` throws nothing is
 * written, and the batch is always closed so its lock never outlives the operation.
 */
export async function inBatch<T>(
  bee: Hyperbee,
  fn: (batch: Batch<unknown>) => Promise<T>,
): Promise<T> {
  const batch = bee.batch()
  try {
    const result = await fn(batch)
    await batch.flush()
    return result
  } finally {
    await batch.close()
  }
}
