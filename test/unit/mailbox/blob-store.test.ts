import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { randomBytes } from '../../../src/crypto/index.js'
import { BLOB_CHUNK_BYTES, BlobStore } from '../../../src/mailbox/blob-store.js'
import { createCorestore } from '../../../src/mailbox/index.js'
import { test } from '../../helpers/temp-dir.js'

describe('BlobStore.putMany', () => {
  test('stores small and large blobs back to back and returns each byte for byte', async ({
    tempDir,
  }) => {
    const store = createCorestore(join(tempDir, 'store'))
    try {
      const core = store.get({ name: 'blobs' })
      const blobs = new BlobStore(core, randomBytes(32))
      await blobs.ready()
      const appends: number[] = []
      core.on('append', () => appends.push(core.length))

      const large = randomBytes(9 * 1024 * 1024 + 17)
      const raws = [randomBytes(10), large, Buffer.alloc(0), randomBytes(BLOB_CHUNK_BYTES + 1)]
      const refs = await blobs.putMany(raws)

      expect(refs.map((r) => r.count)).toEqual([1, 145, 1, 2])
      for (let i = 1; i < refs.length; i++) {
        expect(refs[i]?.start).toBe((refs[i - 1]?.start ?? 0) + (refs[i - 1]?.count ?? 0))
      }
      for (const [i, ref] of refs.entries())
        expect((await blobs.get(ref)).equals(raws[i] ?? Buffer.alloc(0))).toBe(true)
      // 9 MiB went out in writes of at most 4 MiB (64 blocks) each, not as one storage batch.
      expect(appends.length).toBeGreaterThanOrEqual(3)
      const sizes = appends.map((length, i) => length - (i === 0 ? 1 : (appends[i - 1] ?? 0)))
      expect(Math.max(...sizes)).toBeLessThanOrEqual(64)
    } finally {
      await store.close()
    }
  })
})
