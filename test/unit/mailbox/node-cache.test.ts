import { createRequire } from 'node:module'
import { join } from 'node:path'
import Hyperbee from 'hyperbee'
import { describe, expect } from 'vitest'
import { randomBytes } from '../../../src/crypto/index.js'
import { inBatch } from '../../../src/mailbox/batch.js'
import { createCorestore } from '../../../src/mailbox/index.js'
import { test } from '../../helpers/temp-dir.js'

interface DecodedNode {
  key: Uint8Array
  value: Uint8Array | null
  index: Uint8Array | null
}
const { Node } = createRequire(import.meta.url)('hyperbee/lib/messages.js') as {
  Node: { decode(block: Uint8Array): DecodedNode }
}

/** Hyperbee's node cache, as inBatch warms it (an internal: the test checks what it holds). */
function nodeCache(bee: Hyperbee): { get(seq: number): DecodedNode | null } {
  return (bee as unknown as { _nodeCache: { get(seq: number): DecodedNode | null } })._nodeCache
}

const same = (a: Uint8Array | null, b: Uint8Array | null) =>
  a === null || b === null ? a === b : Buffer.from(a).equals(Buffer.from(b))

describe('inBatch keeps the nodes it appends in the node cache', () => {
  test('each cached node is the block on disk, decoded', async ({ tempDir }) => {
    const store = createCorestore(join(tempDir, 'store'))
    try {
      const core = store.get({ name: 'index', encryption: { key: randomBytes(32) } })
      const bee = new Hyperbee(core, { keyEncoding: 'utf-8', valueEncoding: 'json' })
      await bee.ready()
      await inBatch(bee, async (batch) => {
        for (let i = 0; i < 40; i++) await batch.put(`a${i}`, { i })
      })
      const before = core.length
      await inBatch(bee, async (batch) => {
        for (let i = 0; i < 25; i++) await batch.put(`b${i}`, { i })
        await batch.del('a3')
      })
      expect(core.length).toBe(before + 26)
      for (let seq = before; seq < core.length; seq++) {
        const cached = nodeCache(bee).get(seq)
        const block = await core.get(seq)
        if (!cached || !block) throw new Error(`block ${seq}: nothing cached or stored`)
        const stored = Node.decode(block)
        expect(same(cached.key, stored.key)).toBe(true)
        expect(same(cached.value, stored.value)).toBe(true)
        expect(same(cached.index, stored.index)).toBe(true)
      }
      await bee.close()
    } finally {
      await store.close()
    }
  })

  test('reads through the warm cache agree with a cold reopen, over many batches', async ({
    tempDir,
  }) => {
    const dir = join(tempDir, 'store')
    const key = randomBytes(32)
    const expected = new Map<string, number>()
    let store = createCorestore(dir)
    try {
      const core = store.get({ name: 'index', encryption: { key } })
      const bee = new Hyperbee(core, { keyEncoding: 'utf-8', valueEncoding: 'json' })
      await bee.ready()
      let n = 0
      for (let round = 0; round < 30; round++) {
        await inBatch(bee, async (batch) => {
          for (let i = 0; i < 7; i++) {
            const k = `k${(n * 7919) % 150}`
            n++
            if (n % 5 === 0) {
              await batch.del(k)
              expected.delete(k)
            } else {
              await batch.put(k, n)
              expected.set(k, n)
            }
          }
        })
        // A batch that writes nothing leaves the cache as it is.
        await inBatch(bee, async (batch) => batch.get('k1'))
      }
      for (let i = 0; i < 150; i++)
        expect((await bee.get(`k${i}`))?.value).toEqual(expected.get(`k${i}`))
      await bee.close()
      await store.close()

      store = createCorestore(dir)
      const cold = new Hyperbee(store.get({ name: 'index', encryption: { key } }), {
        keyEncoding: 'utf-8',
        valueEncoding: 'json',
      })
      await cold.ready()
      const entries = new Map<string, unknown>()
      for await (const entry of cold.createReadStream()) entries.set(entry.key, entry.value)
      expect(entries).toEqual(expected)
      await cold.close()
    } finally {
      await store.close()
    }
  })
})
