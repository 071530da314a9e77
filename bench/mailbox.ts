/**
 * Mailbox at scale: imports N realistic messages (default 100,000; MAILBOX_BENCH_MESSAGES overrides), then,
 * in a fresh process, measures cold open, the first page of the inbox, typical searches and peak RSS.
 * The raw layer beneath, in the same run: the same messages appended to a bare Hypercore with one plain
 * Hyperbee entry each (no encryption, no parsing, no indexes).
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Hyperbee from 'hyperbee'
import { randomBytes } from '../src/crypto/index.js'
import { createCorestore, createMimeParser, openMailbox } from '../src/mailbox/index.js'
import { makeCorpus } from './mail-corpus.js'
import { round } from './measure.js'

const BATCH = 500

export async function run(): Promise<Record<string, unknown>> {
  const total = Number(process.env.MAILBOX_BENCH_MESSAGES ?? 100_000)
  const rawCount = Math.min(total, 20_000)
  const corpus = makeCorpus()
  // MAILBOX_BENCH_DIR keeps the imported mailbox for profiling open and search without re-importing.
  const keep = process.env.MAILBOX_BENCH_DIR
  const dir = keep ?? (await mkdtemp(join(tmpdir(), 'peermail-bench-mailbox-')))
  try {
    const reuse = keep !== undefined && existsSync(join(dir, 'key'))
    const key = reuse ? Buffer.from(readFileSync(join(dir, 'key'), 'utf8'), 'hex') : randomBytes(32)
    if (reuse) {
      return {
        messages: total,
        reused: dir,
        ...(await measureOpen(join(dir, 'mailbox'), key, corpus)),
      }
    }
    const raw = await rawImport(join(dir, 'raw'), corpus, rawCount)
    const ours = await ourImport(join(dir, 'mailbox'), key, corpus, total, rawCount)
    if (keep !== undefined) writeFileSync(join(dir, 'key'), key.toString('hex'))
    const open = await measureOpen(join(dir, 'mailbox'), key, corpus)
    return {
      messages: total,
      importMessagesPerSec: round(ours.rate),
      importPeakRssMB: round(process.resourceUsage().maxRSS / 1024),
      firstMessagesCompared: rawCount,
      ourImportFirstPerSec: round(ours.firstRate),
      rawImportFirstPerSec: round(raw),
      ratioToRaw: round(ours.firstRate / raw, 2),
      ...open,
    }
  } finally {
    if (keep === undefined) await rm(dir, { recursive: true, force: true })
  }
}

async function rawImport(
  dir: string,
  corpus: ReturnType<typeof makeCorpus>,
  count: number,
): Promise<number> {
  const store = createCorestore(dir)
  const blobs = store.get({ name: 'blobs' })
  const bee = new Hyperbee(store.get({ name: 'index' }), {
    keyEncoding: 'utf-8',
    valueEncoding: 'json',
  })
  await bee.ready()
  const started = process.hrtime.bigint()
  for (let i = 0; i < count; i += BATCH) {
    const raws = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => corpus.message(i + j))
    const at = blobs.length
    await blobs.append(raws)
    const batch = bee.batch()
    for (let j = 0; j < raws.length; j++)
      await batch.put(`m${String(i + j).padStart(8, '0')}`, { at: at + j })
    await batch.flush()
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await bee.close()
  await store.close()
  return count / seconds
}

async function ourImport(
  dir: string,
  key: Buffer,
  corpus: ReturnType<typeof makeCorpus>,
  count: number,
  firstCount: number,
): Promise<{ rate: number; firstRate: number }> {
  const store = createCorestore(dir)
  const parser = createMimeParser()
  const mailbox = await openMailbox({ store, parser }, { storageKey: key })
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
    if (process.env.BENCH_VERBOSE && i % 10_000 === 0)
      console.error(`imported ${i + inputs.length}`)
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await mailbox.close()
  await parser.close()
  await store.close()
  return { rate: count / seconds, firstRate: Math.min(count, firstCount) / firstSeconds }
}

/** Runs bench/mailbox-open.ts in a fresh process, so open time and RSS are not warmed by the import. */
function measureOpen(
  dir: string,
  key: Buffer,
  corpus: ReturnType<typeof makeCorpus>,
): Promise<Record<string, unknown>> {
  const script = fileURLToPath(new URL('./mailbox-open.ts', import.meta.url))
  const words = [
    corpus.vocabulary[3],
    corpus.vocabulary[40],
    corpus.vocabulary[700],
    corpus.vocabulary[5000],
  ]
  const people = [corpus.people[5], corpus.people[77]]
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, dir, key.toString('hex'), JSON.stringify({ words, people })],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? ''
      if (code === 0) resolve(JSON.parse(last) as Record<string, unknown>)
      else reject(new Error(`mailbox-open exited with ${code}: ${out}`))
    })
  })
}
