/**
 * Crash safety: a child process writes to a mailbox and is killed with SIGKILL at random points, many
 * times. After each kill the store must open cleanly, its index must agree with itself, and every
 * operation the child saw return must be there.
 */
import { describe, expect } from 'vitest'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { test } from '../../helpers/mailbox.js'

const writer = fileURLToPath(new URL('../../helpers/crash-writer.ts', import.meta.url))
const ROUNDS = 8

type Ack =
  | { op: 'add'; ids: (string | null)[]; hashes: string[] }
  | { op: 'flag'; id: string; seen: boolean }
  | { op: 'move'; id: string; folder: string }

/** Runs the writer until it has acknowledged `acks` operations, then kills it mid-write. */
function runUntilKilled(dir: string, key: string, round: number, acks: number) {
  return new Promise<{ acked: Ack[]; pending: Ack | undefined }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, key, String(round)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const acked: Ack[] = []
    let pending: Ack | undefined
    let buffer = ''
    let stderr = ''
    let killed = false
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        const [kind, json] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]
        if (kind === 'INTENT') pending = JSON.parse(json) as Ack
        if (kind === 'ACK') {
          acked.push(JSON.parse(json) as Ack)
          pending = undefined
          if (acked.length >= acks && !killed) {
            killed = true
            // A random short delay so the kill lands anywhere inside the next operation.
            setTimeout(() => child.kill('SIGKILL'), Math.random() * 15)
          }
        }
      }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL' && killed) resolve({ acked, pending })
      else reject(new Error(`writer exited with ${code ?? signal}: ${stderr}`))
    })
  })
}

describe('crash safety', () => {
  test(
    `every acknowledged write survives ${ROUNDS} SIGKILLs`,
    { timeout: 300_000 },
    async ({ home }) => {
      const expected = new Map<string, { hash: string; seen: boolean; folder: string }>()
      const uncertain = new Set<string>()
      let total = 0
      for (let round = 0; round < ROUNDS; round++) {
        const { acked, pending } = await runUntilKilled(
          home.dir,
          home.storageKey.toString('hex'),
          round,
          40 + Math.floor(Math.random() * 200),
        )
        total += acked.length
        for (const ack of acked) {
          if (ack.op === 'add') {
            ack.ids.forEach((id, i) => {
              if (id && !expected.has(id))
                expected.set(id, { hash: ack.hashes[i]!, seen: false, folder: 'inbox' })
            })
          } else {
            const state = expected.get(ack.id)
            if (state && ack.op === 'flag') state.seen = ack.seen
            if (state && ack.op === 'move') state.folder = ack.folder
          }
        }
        // The operation in flight when the child died may or may not have happened.
        if (pending && pending.op !== 'add') uncertain.add(pending.id)

        const mailbox = await home.open()
        const report = await mailbox.check()
        expect(report.problems).toEqual([])
        for (const [id, state] of expected) {
          const record = await mailbox.get(id)
          const raw = await mailbox.raw(id)
          expect(createHash('sha256').update(raw).digest('hex')).toBe(state.hash)
          if (uncertain.has(id)) {
            state.seen = record.flags.seen
            state.folder = record.folder
          } else {
            expect(record.flags.seen).toBe(state.seen)
            expect(record.folder).toBe(state.folder)
          }
        }
        uncertain.clear()
        await home.close()
      }
      expect(total).toBeGreaterThan(ROUNDS * 40)
    },
  )
})
