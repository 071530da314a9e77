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
