import { join } from 'node:path'
import Hyperbee from 'hyperbee'
import { describe, expect } from 'vitest'
import { randomBytes } from '../../../src/crypto/index.js'
import { createCorestore } from '../../../src/mailbox/index.js'
import { LiveReads, type IndexReader } from '../../../src/mailbox/live-reads.js'
import { test } from '../../helpers/temp-dir.js'

async function openBee(dir: string) {
  const store = createCorestore(dir)
  const bee = new Hyperbee(store.get({ name: 'index', encryption: { key: randomBytes(32) } }), {
    keyEncoding: 'utf-8',
    valueEncoding: 'json',
  })
  await bee.ready()
  return { store, bee }
}

describe('LiveReads', () => {
  test('reads see every finished write, point and range alike', async ({ tempDir }) => {
    const { store, bee } = await openBee(join(tempDir, 'store'))
    try {
      const reads = new LiveReads(bee)
      expect(await reads.read(async (index) => index.get('a'))).toBeNull()
      await bee.put('a', 1)
      await bee.put('b', 2)
      expect((await reads.read(async (index) => index.get('a')))?.value).toBe(1)
      const keys = await reads.read(async (index) => {
        const out: string[] = []
        for await (const entry of index.createReadStream({ gte: 'a', lt: 'z' })) out.push(entry.key)
        return out
      })
      expect(keys).toEqual(['a', 'b'])
      await bee.close()
    } finally {
      await store.close()
    }
  })

  test('a clear waits for the live reads in flight; reads started meanwhile use a snapshot', async ({
    tempDir,
  }) => {
    const { store, bee } = await openBee(join(tempDir, 'store'))
    try {
      await bee.put('a', 1)
      const reads = new LiveReads(bee)
      let finishRead = () => {}
      const held = new Promise<void>((resolve) => (finishRead = resolve))
      let inFlight: IndexReader | undefined
      const read = reads.read(async (index) => {
        inFlight = index
        await held
        return (await index.get('a'))?.value
      })
      const events: string[] = []
      const clear = reads.whileClearing(() => {
        events.push('clear')
        return Promise.resolve('cleared')
      })
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(events).toEqual([])
      // Started while the clear waits: not a live batch but the bee itself (a snapshot per read).
      let during: IndexReader | undefined
      await reads.read((index) => Promise.resolve((during = index)))
      expect(during).toBe(bee)
      expect(inFlight).not.toBe(bee)

      finishRead()
      expect(await read).toBe(1)
      expect(await clear).toBe('cleared')
      expect(events).toEqual(['clear'])
      let after: IndexReader | undefined
      await reads.read((index) => Promise.resolve((after = index)))
      expect(after).not.toBe(bee)
      await bee.close()
    } finally {
      await store.close()
    }
  })
})
