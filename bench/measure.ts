import { readFileSync } from 'node:fs'

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns calls per second. */
export function opsPerSecond(fn: () => void, ms = 1000): number {
  for (let i = 0; i < 3; i++) fn()
  let calls = 0
  const start = process.hrtime.bigint()
  const budget = BigInt(ms) * 1_000_000n
  let elapsed = 0n
  while (elapsed < budget) {
    fn()
    calls++
    elapsed = process.hrtime.bigint() - start
  }
  return calls / (Number(elapsed) / 1e9)
}

/** Wall time of one async call, in milliseconds. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/**
 * Peak RSS of this process, in MB. On Linux getrusage's maxRSS also counts the image this process was
 * forked from before its exec: a child spawned by a large parent reported the parent's RSS, not its own.
 * VmHWM is the peak of this process's own memory.
 */
export function peakRssMB(): number {
  try {
    const hwm = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (hwm?.[1] !== undefined) return Number(hwm[1]) / 1024
  } catch {
    // No /proc (not Linux): getrusage is what there is.
  }
  return process.resourceUsage().maxRSS / 1024
}

export const round = (n: number, digits = 1): number => Number(n.toFixed(digits))
