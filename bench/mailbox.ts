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
import { createCorestore } from '../src/mailbox/index.js'
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
    const ours = (await runChild('mailbox-import.ts', [
      join(dir, 'mailbox'),
      key.toString('hex'),
      String(total),
      String(rawCount),
    ])) as { rate: number; firstRate: number; importPeakRssMB: number }
    if (keep !== undefined) writeFileSync(join(dir, 'key'), key.toString('hex'))
    const open = await measureOpen(join(dir, 'mailbox'), key, corpus)
    return {
      messages: total,
      importMessagesPerSec: ours.rate,
      importPeakRssMB: ours.importPeakRssMB,
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

/** Runs bench/mailbox-open.ts in a fresh process, so open time and RSS are not warmed by the import. */
function measureOpen(
  dir: string,
  key: Buffer,
  corpus: ReturnType<typeof makeCorpus>,
): Promise<Record<string, unknown>> {
  const words = [
    corpus.vocabulary[3],
    corpus.vocabulary[40],
    corpus.vocabulary[700],
    corpus.vocabulary[5000],
  ]
  const people = [corpus.people[5], corpus.people[77]]
  return runChild('mailbox-open.ts', [dir, key.toString('hex'), JSON.stringify({ words, people })])
}

/** Runs a bench script in a fresh process (under tsx, as the bench itself) and parses its last line. */
function runChild(name: string, args: string[]): Promise<Record<string, unknown>> {
  const script = fileURLToPath(new URL(`./${name}`, import.meta.url))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? ''
      if (code === 0) resolve(JSON.parse(last) as Record<string, unknown>)
      else reject(new Error(`${name} exited with ${code}: ${out}`))
    })
  })
}
