import { readdir, readlink } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { createCorestore, flushCorestore, LogSync } from '../../../src/mailbox/index.js'
import { test } from '../../helpers/temp-dir.js'

// The descriptors this process holds on files under `dir` (Linux: /proc/self/fd).
async function descriptorsUnder(dir: string): Promise<string[]> {
  const targets = await Promise.all(
    (await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
  )
  return targets.filter((target) => target.startsWith(dir))
}

// What `log` holds open: RocksDB keeps its own descriptors on the same files, so take the difference
// between before and after closing it. `log` is closed afterwards.
async function heldBy(log: LogSync, dir: string): Promise<string[]> {
  const open = await descriptorsUnder(dir)
  await log.close()
  const rest = await descriptorsUnder(dir)
  for (const target of rest) open.splice(open.indexOf(target), 1)
  return open.sort()
}

describe('LogSync', () => {
  test('holds the live write-ahead log and its directory, and lets go of a log RocksDB retired', async ({
    tempDir,
  }) => {
    const dir = join(tempDir, 'store')
    const db = join(dir, 'db')
    const store = createCorestore(dir)
    try {
      const core = store.get({ name: 'log' })
      await core.ready()
      await core.append([Buffer.from('one'), Buffer.from('two')])
      const first = LogSync.of(store)
      await first.sync()
      const firstLogs = (await readdir(db)).filter((name) => name.endsWith('.log'))
      expect(await heldBy(first, db)).toEqual([db, ...firstLogs.map((n) => join(db, n))].sort())
      await expect(first.sync()).rejects.toThrow(/closed/)

      // A memtable flush starts a new log and deletes the old one: the old descriptor is let go.
      const second = LogSync.of(store)
      await second.sync()
      await flushCorestore(store)
      await core.append(Buffer.from('three'))
      await second.sync()
      const live = (await readdir(db)).filter((name) => name.endsWith('.log'))
      expect(live).not.toEqual(firstLogs)
      const held = await heldBy(second, db)
      expect(held).toEqual([db, ...live.map((n) => join(db, n))].sort())
      expect(held.some((t) => t.endsWith('(deleted)'))).toBe(false)
      expect(await core.get(2)).toEqual(Buffer.from('three'))
    } finally {
      await store.close()
    }
  })

  test('concurrent syncs run one after another and open each log once', async ({ tempDir }) => {
    const dir = join(tempDir, 'store')
    const db = join(dir, 'db')
    const store = createCorestore(dir)
    try {
      const core = store.get({ name: 'log' })
      await core.ready()
      const log = LogSync.of(store)
      await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          await core.append(Buffer.from(`block ${i}`))
          await log.sync()
        }),
      )
      expect(core.length).toBe(8)
      const live = (await readdir(db)).filter((name) => name.endsWith('.log'))
      expect(await heldBy(log, db)).toEqual([db, ...live.map((n) => join(db, n))].sort())
    } finally {
      await store.close()
    }
  })

  test('refuses a store without a RocksDB directory', () => {
    expect(() => LogSync.of({} as never)).toThrow(/write-ahead log/)
  })
})
