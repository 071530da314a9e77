import type Hyperbee from 'hyperbee'
import type { BlobStore } from './blob-store.js'
import { lastPart, under } from './index-keys.js'
import { derivedEntries, type MessageRecord } from './records.js'

/** What {@link checkIndex} found: how many messages, and every inconsistency, one line each. */
export interface IntegrityReport {
  messages: number
  problems: string[]
}

/**
 * Recomputes every derived index entry from the message records and compares: folder listings, counters,
 * labels, thread membership, duplicate hashes, and that each message's blocks are on disk. An empty
 * `problems` list means the index agrees with itself (used by the crash and property tests, and `fsck`).
 */
export async function checkIndex(bee: Hyperbee, blobs: BlobStore): Promise<IntegrityReport> {
  const problems: string[] = []
  const records = new Map<string, MessageRecord>()
  for await (const entry of bee.createReadStream(under('msg'))) {
    records.set(lastPart(entry.key), entry.value as MessageRecord)
  }

  const counts = new Map<string, { total: number; unread: number }>()
  const expected = new Map<string, unknown>()
  for (const record of records.values()) {
    for (const [k, value] of derivedEntries(record)) expected.set(k, value)
    const c = counts.get(record.folder) ?? { total: 0, unread: 0 }
    counts.set(record.folder, {
      total: c.total + 1,
      unread: c.unread + (record.flags.seen ? 0 : 1),
    })
    if (!(await blobs.has(record.blob))) problems.push(`message ${record.id}: stored bytes missing`)
  }

  for (const prefix of ['fol', 'thr', 'lab']) {
    for await (const entry of bee.createReadStream(under(prefix))) {
      const want = expected.get(entry.key)
      if (want === undefined) problems.push(`stray index entry ${printable(entry.key)}`)
      else if (JSON.stringify(want) !== JSON.stringify(entry.value)) {
        problems.push(`index entry ${printable(entry.key)} disagrees with its record`)
      }
      expected.delete(entry.key)
    }
  }
  for (const missing of expected.keys()) problems.push(`missing index entry ${printable(missing)}`)

  for await (const entry of bee.createReadStream(under('cnt'))) {
    const folder = lastPart(entry.key)
    const want = counts.get(folder) ?? { total: 0, unread: 0 }
    const got = entry.value as { total: number; unread: number }
    if (got.total !== want.total || got.unread !== want.unread) {
      problems.push(
        `folder ${folder}: counted ${got.total}/${got.unread}, records say ${want.total}/${want.unread}`,
      )
    }
    counts.delete(folder)
  }
  for (const [folder, c] of counts)
    if (c.total > 0) problems.push(`folder ${folder}: counter missing`)

  for await (const entry of bee.createReadStream(under('hash'))) {
    if (!records.has(entry.value as string))
      problems.push(`duplicate hash ${lastPart(entry.key)} points nowhere`)
  }
  return { messages: records.size, problems }
}

function printable(k: string): string {
  return k.replaceAll('\x00', '/')
}
