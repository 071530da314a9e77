import type { Batch } from 'hyperbee'
import { key, lastPart, under } from './index-keys.js'

/** Prefixes mail clients put before a subject when replying or forwarding, in several languages. */
const REPLY_PREFIX =
  /^\s*((re|fw|fwd|aw|wg|sv|vs|antw|ref|tr|rv|enc)(\[\d+\])?\s*:\s*|\[[^\]]{1,40}\]\s*)+/i
/** Subject fallback only joins messages this close in time, so unrelated "Re: hello"s stay apart. */
const SUBJECT_WINDOW_MS = 30 * 24 * 3600 * 1000

/** Lower-cased subject without reply/forward prefixes and list tags. */
export function normalizeSubject(subject: string): string {
  return subject.replace(REPLY_PREFIX, '').replace(/\s+/g, ' ').trim().toLowerCase()
}

/** True when a subject says it replies to or forwards something. */
export function isReplySubject(subject: string): boolean {
  return normalizeSubject(subject) !== subject.replace(/\s+/g, ' ').trim().toLowerCase()
}

export interface ThreadInput {
  id: string
  messageId: string | undefined
  inReplyTo: string | undefined
  references: string[]
  subject: string
  date: number
}

type IndexBatch = Batch<unknown>

/**
 * Finds (or starts) the conversation a message belongs to, and records its ids so later messages find it.
 * Works whatever the arrival order: every Message-ID a message references is registered for its thread,
 * so a parent that arrives after its reply joins the reply's thread. When one message links two threads,
 * they merge. Returns the thread id and the ids of threads merged into it (their members need re-keying).
 */
export async function resolveThread(
  batch: IndexBatch,
  msg: ThreadInput,
): Promise<{ threadId: string; merged: string[] }> {
  const linked = [...msg.references, msg.inReplyTo, msg.messageId].filter(
    (x): x is string => typeof x === 'string' && x.length > 0,
  )
  const found: string[] = []
  for (const mid of linked) {
    const entry = await batch.get(key('tmid', mid))
    if (entry && typeof entry.value === 'string' && !found.includes(entry.value))
      found.push(entry.value)
  }

  let threadId = found[0]
  const normalized = normalizeSubject(msg.subject)
  if (!threadId && normalized && isReplySubject(msg.subject)) {
    const bySubject = (await batch.get(key('tsub', normalized)))?.value as
      { threadId: string; date: number } | undefined
    if (bySubject && Math.abs(bySubject.date - msg.date) <= SUBJECT_WINDOW_MS)
      threadId = bySubject.threadId
  }
  threadId ??= msg.id

  const merged = found.filter((t) => t !== threadId)
  for (const other of merged) {
    for await (const entry of rangeKeys(batch, 'tref', other)) {
      const mid = lastPart(entry)
      await batch.put(key('tmid', mid), threadId)
      await batch.put(key('tref', threadId, mid), '')
      await batch.del(entry)
    }
  }
  for (const mid of linked) {
    await batch.put(key('tmid', mid), threadId)
    await batch.put(key('tref', threadId, mid), '')
  }
  if (normalized) await batch.put(key('tsub', normalized), { threadId, date: msg.date })
  return { threadId, merged }
}

/** Keys of every entry under a prefix, read from a batch (sees its pending writes). */
export async function* rangeKeys(batch: IndexBatch, ...prefix: string[]): AsyncGenerator<string> {
  // Collect first: callers write under the same prefix while iterating.
  const keys: string[] = []
  for await (const entry of batch.createReadStream(under(...prefix))) keys.push(entry.key)
  yield* keys
}
