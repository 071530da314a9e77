/**
 * Bridge ingest on loopback: SMTP mail to a registered alias, from nodemailer (in a child process,
 * bench/smtp-load.ts, as real senders are other machines) over several parallel connections, each
 * answered `250` only once it is sealed to the account and flushed to disk (docs/architecture.md, "The
 * bridge"). Beside it, in the same run, the raw layer: a bare smtp-server that writes each message to its
 * own file and fsyncs it before `250`. And the stack's floor (bench/bridge-floor.ts): a server doing only
 * the work the design requires before `250` (mailauth, sealing, a durable Hypercore append), which tells
 * the stack's share of the gap from the bridge's own. Reported per message size: messages/s for each, the
 * ratio bridge / bare (target ≥ 0.8) and floor / bare, p50 and p99 time to `250` of one transaction (MAIL
 * FROM to the reply after the data), and each server process's CPU time per message.
 *
 * Each server first takes WARM_UP_MESSAGES untimed. The account registers its alias and goes offline, so
 * the figures are the bridge's own work (checks, mailauth, sealing, append, flush), not the account's.
 * Everything runs on 127.0.0.1; mailauth's DNS is a fixed resolver that answers NXDOMAIN (no network), so
 * SPF/DKIM/DMARC come out `none`.
 *
 * Environment variables:
 *   BRIDGE_BENCH_SMALL        messages of 4 KB (default 400)
 *   BRIDGE_BENCH_LARGE        messages of 100 KB (default 100)
 *   BRIDGE_BENCH_CONNECTIONS  parallel SMTP connections (default 4)
 *   BRIDGE_BENCH_ROUNDS       alternating bare/bridge rounds per size, medians reported (default 3)
 */
import { spawn } from 'node:child_process'
import { open, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLocalNetwork, openAccount, openBridge } from '../src/index.js'
import { startBenchSmtp, type BenchSmtp } from './bench-smtp.js'
import { openStackFloor } from './bridge-floor.js'
import { count } from './loopback.js'
import { round } from './measure.js'

const FAST_VAULT = { opsLimit: 1, memLimit: 65536 }
/** Untimed messages each server takes before the measured runs. */
const WARM_UP_MESSAGES = 100
const nxdomain = (name: string) =>
  Promise.reject(Object.assign(new Error(`no ${name}`), { code: 'ENOTFOUND' }))

interface Figures {
  messagesPerSecond: number
  /** Time to `250` of one SMTP transaction (MAIL FROM to the reply after the data). */
  p50Ms: number
  p99Ms: number
  /** CPU time of this process (the server side) per message, user + system: steadier than rates
   * on a shared machine. */
  serverCpuMsPerMessage?: number
}

/** Runs the load generator (bench/smtp-load.ts) in a child process against `port`. */
async function blast(
  port: number,
  n: number,
  bytes: number,
  connections: number,
): Promise<Figures> {
  const script = fileURLToPath(new URL('./smtp-load.ts', import.meta.url))
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, String(port), String(n), String(bytes), String(connections)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  const cpu = process.cpuUsage()
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const used = process.cpuUsage(cpu)
  if (code !== 0) throw new Error(`smtp-load exited with ${code}`)
  const figures = JSON.parse(out.trim().split('\n').pop() ?? '') as Figures
  // Includes the child's start-up time, during which the server is idle.
  figures.serverCpuMsPerMessage = round((used.user + used.system) / 1000 / n, 2)
  return figures
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const round2 = (n: number) => round(n, 2)

function medianFigures(rounds: Figures[]): Figures {
  return {
    messagesPerSecond: round(median(rounds.map((f) => f.messagesPerSecond))),
    p50Ms: round2(median(rounds.map((f) => f.p50Ms))),
    p99Ms: round2(median(rounds.map((f) => f.p99Ms))),
    serverCpuMsPerMessage: round2(median(rounds.map((f) => f.serverCpuMsPerMessage ?? NaN))),
  }
}

/** The raw layer: smtp-server writing each message to a file, fsynced, before 250. */
function bareServer(dir: string): Promise<BenchSmtp> {
  let seq = 0
  return startBenchSmtp(async (raw) => {
    const file = await open(join(dir, `${seq++}.eml`), 'w')
    try {
      await file.writeFile(raw)
      await file.sync()
    } finally {
      await file.close()
    }
  })
}

export async function run(): Promise<Record<string, unknown>> {
  const sizes = [
    { name: '4KB', bytes: 4 * 1024, n: count('BRIDGE_BENCH_SMALL', 400) },
    { name: '100KB', bytes: 100 * 1024, n: count('BRIDGE_BENCH_LARGE', 100) },
  ]
  const connections = count('BRIDGE_BENCH_CONNECTIONS', 4)
  const rounds = count('BRIDGE_BENCH_ROUNDS', 3)
  const dir = await mkdtemp(join(tmpdir(), 'peermail-bench-bridge-'))
  const net = await createLocalNetwork()
  const bridge = await openBridge({
    home: join(dir, 'bridge'),
    domain: 'bridge.test',
    bootstrap: net.bootstrap,
    vaultParams: FAST_VAULT,
    smtp: {
      host: '127.0.0.1',
      port: 0,
      resolver: nxdomain,
      // One client on one address: the abuse limits would otherwise be what is measured.
      messageBurst: 1_000_000,
      messagesPerHour: 1_000_000,
      maxConnections: 1000,
      maxConnectionsPerHost: 1000,
    },
  })
  const bare = await bareServer(await mkdtemp(join(dir, 'bare-')))
  const floor = await openStackFloor(await mkdtemp(join(dir, 'floor-')), nxdomain)
  try {
    const alice = await openAccount({
      home: join(dir, 'alice'),
      passphrase: 'bench passphrase',
      bootstrap: net.bootstrap,
      vaultParams: FAST_VAULT,
    })
    await alice.addAlias('alice@bridge.test', bridge.address)
    await alice.close()
    const results: Record<string, unknown> = { connections, warmUpMessages: WARM_UP_MESSAGES }
    // Both servers are long-running in real use: each first takes a few messages untimed, so the figures
    // are the steady state (JIT-compiled paths, the pair log and the first dial made), not the start-up.
    await blast(bare.port, WARM_UP_MESSAGES, 4 * 1024, connections)
    await blast(floor.port, WARM_UP_MESSAGES, 4 * 1024, connections)
    await blast(bridge.smtpPort, WARM_UP_MESSAGES, 4 * 1024, connections)
    for (const size of sizes) {
      // Rounds alternate bare and bridge, so a slow spell of the shared machine falls on both; the
      // figures are the medians over the rounds, the ratio the median of the rounds' ratios.
      const rawRounds: Figures[] = []
      const floorRounds: Figures[] = []
      const ourRounds: Figures[] = []
      for (let round = 0; round < rounds; round++) {
        rawRounds.push(await blast(bare.port, size.n, size.bytes, connections))
        floorRounds.push(await blast(floor.port, size.n, size.bytes, connections))
        ourRounds.push(await blast(bridge.smtpPort, size.n, size.bytes, connections))
      }
      const over = (rounds: Figures[], base: Figures[]) =>
        rounds.map((r, i) => r.messagesPerSecond / base[i]!.messagesPerSecond)
      const ratios = over(ourRounds, rawRounds)
      const floorRatios = over(floorRounds, rawRounds)
      results[size.name] = {
        messages: size.n,
        rounds,
        bridge: medianFigures(ourRounds),
        bareFsync: medianFigures(rawRounds),
        ratio: round2(median(ratios)),
        ratioPerRound: ratios.map(round2),
        // The stack's floor (bench/bridge-floor.ts): what the design's required work allows.
        stackFloor: medianFigures(floorRounds),
        floorRatio: round2(median(floorRatios)),
        floorRatioPerRound: floorRatios.map(round2),
        bridgeToFloor: round2(median(over(ourRounds, floorRounds))),
      }
    }
    return results
  } finally {
    await bare.close()
    await floor.close()
    await bridge.close()
    await net.close()
    await rm(dir, { recursive: true, force: true })
  }
}
