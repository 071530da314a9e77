/**
 * Child of bench/mailbox.ts: imports the corpus into a fresh mailbox, in a process of its own so that its
 * peak RSS is the import's alone (not the parent's raw-layer run). JSON out.
 */
import { createCorestore, createMimeParser, openMailbox } from '../src/mailbox/index.js'
import { makeCorpus } from './mail-corpus.js'
import { peakRssMB, round } from './measure.js'

const BATCH = 500

const [dir, keyHex, countText, firstText] = process.argv.slice(2)
if (!dir || !keyHex || !countText || !firstText)
  throw new Error('usage: mailbox-import DIR KEY COUNT FIRST')
const count = Number(countText)
const firstCount = Number(firstText)
const corpus = makeCorpus()

const store = createCorestore(dir)
const parser = createMimeParser()
const mailbox = await openMailbox({ store, parser }, { storageKey: Buffer.from(keyHex, 'hex') })
const started = process.hrtime.bigint()
let firstSeconds = 0
for (let i = 0; i < count; i += BATCH) {
  const inputs = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => ({
    raw: corpus.message(i + j),
    flags: { seen: (i + j) % 7 !== 0 },
  }))
  const results = await mailbox.addMany(inputs)
  const failed = results.find((r) => !r.ok)
  if (failed?.ok === false) throw failed.error
  if (i + BATCH >= firstCount && firstSeconds === 0) {
    firstSeconds = Number(process.hrtime.bigint() - started) / 1e9
  }
  if (process.env.BENCH_VERBOSE && i % 10_000 === 0) console.error(`imported ${i + inputs.length}`)
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9
await mailbox.close()
await parser.close()
await store.close()
console.log(
  JSON.stringify({
    rate: round(count / seconds),
    firstRate: round(Math.min(count, firstCount) / firstSeconds),
    importPeakRssMB: round(peakRssMB()),
  }),
)
