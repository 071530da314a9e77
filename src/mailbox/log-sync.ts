import { close, fdatasync, fsync, open, readdir } from 'node:fs'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import type Corestore from 'corestore'

const openFile = promisify(open)
const closeFile = promisify(close)
const syncData = promisify(fdatasync)
const syncAll = promisify(fsync)
const list = promisify(readdir)

/**
 * Makes every write a Corestore has finished survive a power cut, by syncing RocksDB's write-ahead logs.
 * The WAL already holds each finished write in the OS page cache (why a killed process loses nothing,
 * stack-notes.md), so an `fdatasync` of the live log files, and of their directory for a log created
 * since, is what a RocksDB write with `sync: true` does; hypercore-storage does not expose that option.
 * Far cheaper than a memtable flush (`flushCorestore`), which writes a new table file per call: once per
 * inbound message, those pile up and stall writes behind compaction.
 *
 * Log files stay open between syncs (opening and closing them cost more main-thread time than the sync);
 * a log that disappears from the directory was retired after its memtable reached a synced table file,
 * so its descriptor is simply closed. The directory is listed only when RocksDB's current log is not the
 * one the previous sync saw: while it is, every write finished since then is in that one file.
 */
export class LogSync {
  private readonly open = new Map<string, number>()
  private directory: number | null = null
  /** The current log's file name when the previous sync began, if that sync listed or synced it. */
  private current: string | null = null
  private closed = false
  // One sync at a time: two listing the directory at once would both open a new log file.
  private last: Promise<void> = Promise.resolve()

  private constructor(
    private readonly dir: string,
    private readonly db: RocksDB,
  ) {}

  /** The syncer for `store`'s RocksDB directory. */
  static of(store: Corestore): LogSync {
    const db = (store as unknown as { storage?: { db?: RocksDB } }).storage?.db
    const dir = db?._state?.path
    if (typeof dir !== 'string' || typeof db?.currentWalFile !== 'function')
      throw new Error('This Corestore has no write-ahead log to sync')
    return new LogSync(dir, db)
  }

  /** Resolves once every write finished before the call is on disk. */
  sync(): Promise<void> {
    const run = this.last.catch(() => {}).then(() => this.syncNow())
    this.last = run
    return run
  }

  private async syncNow(): Promise<void> {
    if (this.closed) throw new Error('LogSync is closed')
    // Asked before anything else: a log created after this answer is found by the next sync.
    const current = basename((await this.db.currentWalFile()).path)
    const fd = this.open.get(current)
    if (current === this.current && fd !== undefined) return syncData(fd)
    this.current = null
    this.directory ??= await openFile(this.dir, 'r')
    const logs = new Set((await list(this.dir)).filter((name) => name.endsWith('.log')))
    for (const [name, fd] of this.open) {
      if (logs.has(name)) continue
      this.open.delete(name)
      await closeFile(fd)
    }
    const syncs: Promise<void>[] = []
    let newLog = false
    for (const name of logs) {
      let fd = this.open.get(name)
      if (fd === undefined) {
        try {
          fd = await openFile(join(this.dir, name), 'r')
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue // retired meanwhile
          throw err
        }
        this.open.set(name, fd)
        newLog = true
      }
      syncs.push(syncData(fd))
    }
    // The directory entry of a log created since the last sync must reach the disk too.
    if (newLog) syncs.push(syncAll(this.directory))
    await Promise.all(syncs)
    this.current = current
  }

  /** Closes the descriptors it holds. */
  async close(): Promise<void> {
    this.closed = true
    await this.last.catch(() => {})
    const fds = [...this.open.values(), ...(this.directory === null ? [] : [this.directory])]
    this.open.clear()
    this.directory = null
    await Promise.all(fds.map((fd) => closeFile(fd)))
  }
}

/** The part of rocksdb-native's database that LogSync uses (reached through hypercore-storage). */
interface RocksDB {
  _state?: { path?: unknown }
  currentWalFile(): Promise<{ path: string }>
}
