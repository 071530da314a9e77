import Corestore from 'corestore'
import Hypercore from 'hypercore'

/**
 * RocksDB memtable size for an account's store. The storage layer's default (64 MiB, two of them) is sized
 * for servers; a mail client's writes are small batches, and every MiB here is resident memory.
 */
export const WRITE_BUFFER_BYTES = 8 * 1024 * 1024

/** Opens the Corestore for an account directory with memory limits that suit a desktop client. */
export function createCorestore(dir: string): Corestore {
  return new Corestore(Hypercore.defaultStorage(dir, { writeBufferSize: WRITE_BUFFER_BYTES }))
}

/**
 * Forces what `store` has written to disk: RocksDB flushes its memtable into an SST file and syncs it.
 * Appends alone reach only the write-ahead log, unsynced (stack-notes.md), which survives a killed
 * process but not a power cut. Each call writes a new table file, so whoever promises durability per
 * message (the bridge's `250`) syncs the write-ahead log with `LogSync` (log-sync.ts) instead.
 */
export async function flushCorestore(store: Corestore): Promise<void> {
  const storage = (store as unknown as { storage?: { db?: { flush?: () => Promise<void> } } })
    .storage
  const db = storage?.db
  if (typeof db?.flush !== 'function') throw new Error('This Corestore cannot be flushed to disk')
  await db.flush()
}
