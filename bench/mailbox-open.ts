/** Child of bench/mailbox.ts: cold open, first page, searches, peak RSS of a fresh process. JSON out. */
import { createCorestore, createMimeParser, openMailbox } from '../src/mailbox/index.js'
import { peakRssMB, round } from './measure.js'

const [dir, keyHex, hints] = process.argv.slice(2)
if (!dir || !keyHex || !hints) throw new Error('usage: mailbox-open DIR KEY HINTS')
const { words, people } = JSON.parse(hints) as { words: string[]; people: string[] }
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6

// What the process holds before opening anything (node plus the TypeScript loader the bench runs under).
const baselineRssMB = process.memoryUsage().rss / 1e6
const t0 = process.hrtime.bigint()
const store = createCorestore(dir)
const parser = createMimeParser()
const mailbox = await openMailbox({ store, parser }, { storageKey: Buffer.from(keyHex, 'hex') })
const openMs = ms(t0)
const rssAfterOpenMB = process.memoryUsage().rss / 1e6
const heapAfterOpenMB = process.memoryUsage().heapUsed / 1e6

const t1 = process.hrtime.bigint()
const page = await mailbox.list({ folder: 'inbox', limit: 50 })
const firstPageMs = ms(t1)
if (page.items.length !== 50) throw new Error('inbox is not full')

const [w0, w1, w2, w3] = words
const [p0, p1] = people
const queries = [
  `${w1}`,
  `${w2}`,
  `${w3}`,
  `${w1} ${w2}`,
  `from:${p0}`,
  `from:${p1} ${w1}`,
  `${w2} in:inbox`,
  `is:unread ${w1}`,
  `has:attachment ${w0}`,
  `${(w2 ?? 'ka').slice(0, 3)}*`,
  `subject:${w1}`,
  `"${w0} ${w1}"`,
]
const latencies: number[] = []
const perQuery: Record<string, { ms: number; hits: number }> = {}
for (let rep = 0; rep < 20; rep++) {
  for (const q of queries) {
    const t = process.hrtime.bigint()
    const result = await mailbox.search(q, { limit: 50 })
    const took = ms(t)
    latencies.push(took)
    if (rep === 19) perQuery[q] = { ms: round(took, 2), hits: result.total }
  }
}
latencies.sort((a, b) => a - b)
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0

await mailbox.close()
await parser.close()
await store.close()
console.log(
  JSON.stringify({
    coldOpenMs: round(openMs),
    listFirstPageMs: round(firstPageMs, 2),
    searchP50Ms: round(pct(50), 2),
    searchP95Ms: round(pct(95), 2),
    searchQueries: perQuery,
    baselineRssMB: round(baselineRssMB),
    rssAfterOpenMB: round(rssAfterOpenMB),
    heapAfterOpenMB: round(heapAfterOpenMB),
    openAndSearchPeakRssMB: round(peakRssMB()),
  }),
)
