/**
 * LogReader over a real Hypercore: the mails of a pair log read back at their positions, whether their
 * blocks were read ahead together (as catch-up does) or one by one, and a block that does not belong at
 * its position refused either way.
 */
import Corestore from 'corestore'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { CHUNK_BYTES, frameMail } from '../../../src/sync/frames.js'
import { LogReader, type LogItem } from '../../../src/sync/log-reader.js'
import { sealBlock } from '../../../src/sync/pair-log.js'
import { keyringOf, makeAccount, recipientOf } from '../../helpers/accounts.js'
import { test } from '../../helpers/temp-dir.js'

describe('LogReader', () => {
  test('reads each mail at its position, with its blocks read ahead or not; a misplaced block is refused', async ({
    tempDir,
  }) => {
    const alice = makeAccount()
    const bob = makeAccount()
    const store = new Corestore(join(tempDir, 'store'))
    try {
      const core = store.get({ name: 'pair-log' })
      await core.ready()
      const logKey = core.key as Buffer
      const mails = [
        Buffer.from('first mail'),
        Buffer.alloc(2 * CHUNK_BYTES + 5, 7), // three blocks
        Buffer.from('third mail'),
      ]
      const blocks: Buffer[] = []
      for (const mail of mails)
        for (const frame of frameMail(mail))
          blocks.push(
            sealBlock(frame, { logKey, seq: blocks.length }, alice.identity, recipientOf(bob)),
          )
      // The first block again, at a position it was not sealed for (a replay).
      blocks.push(blocks[0] as Buffer)
      await core.append(blocks)

      const readAll = async (ahead: boolean): Promise<LogItem[]> => {
        const reader = new LogReader(core, alice.identity.publicKey, keyringOf(bob), 1 << 20)
        if (ahead) reader.readAhead(0, core.length)
        const items: LogItem[] = []
        for (let seq = 0; seq < core.length;) {
          const item = await reader.read(seq, core.length)
          items.push(item)
          if (item.kind === 'missing') break
          seq = item.last + 1
        }
        return items
      }
      const expected = [
        { kind: 'mail', start: 0, last: 0, mail: mails[0] },
        { kind: 'mail', start: 1, last: 3, mail: mails[1] },
        { kind: 'mail', start: 4, last: 4, mail: mails[2] },
        { kind: 'reject', start: 5, last: 5 },
      ]
      expect(await readAll(true)).toMatchObject(expected)
      expect(await readAll(false)).toMatchObject(expected)
    } finally {
      await store.close()
    }
  })
})
