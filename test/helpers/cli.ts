import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../../bin/peermail.js', import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the built `peermail` binary as a user would: a child process with its own environment. */
export function peermail(
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      resolve({ code: code ?? -1, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
  })
}

/** A `peermail` child left running (e.g. `sync`), with its output so far and a way to end it. */
export interface RunningCli {
  readonly stdout: string
  readonly stderr: string
  /** Resolves once `pattern` shows up on `stream`; rejects after `timeoutMs` or if the process exits first. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs: number): Promise<void>
  /** Resolves when the process exits by itself; rejects (after killing it) if that takes over `timeoutMs`. */
  exit(timeoutMs: number): Promise<CliResult>
  /** SIGTERM, then SIGKILL if it lingers; resolves once it is gone. Safe to call after it exited. */
  stop(): Promise<CliResult>
}

/** Starts the built `peermail` binary in the background (see {@link peermail}). */
export function startPeermail(
  args: string[],
  options: { env?: Record<string, string> } = {},
): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const out = { stdout: '', stderr: '' }
  const listeners = new Set<() => void>()
  const changed = () => {
    for (const listener of listeners) listener()
  }
  child.stdout.on('data', (d: Buffer) => {
    out.stdout += d.toString()
    changed()
  })
  child.stderr.on('data', (d: Buffer) => {
    out.stderr += d.toString()
    changed()
  })
  child.stdin.end()
  let gone = false
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code) => {
      gone = true
      resolve({ code: code ?? -1, ...out })
      changed()
    })
  })
  const stop = async () => {
    if (!gone) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    try {
      return await exited
    } finally {
      clearTimeout(timer)
    }
  }
  return {
    get stdout() {
      return out.stdout
    },
    get stderr() {
      return out.stderr
    },
    waitFor: (stream, pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out[stream])) finish()
          else if (gone)
            finish(new Error(`peermail exited before ${String(pattern)}:\n${out.stderr}`))
        }
        const finish = (err?: Error) => {
          clearTimeout(timer)
          listeners.delete(check)
          if (err) reject(err)
          else resolve()
        }
        const timer = setTimeout(() => {
          finish(
            new Error(`no ${String(pattern)} on ${stream} after ${timeoutMs} ms:\n${out.stderr}`),
          )
        }, timeoutMs)
        listeners.add(check)
        check()
      }),
    exit: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => {
          resolve('late')
        }, timeoutMs)
      })
      const result = await Promise.race([exited, late])
      clearTimeout(timer)
      if (result !== 'late') return result
      const killed = await stop()
      throw new Error(`peermail did not exit within ${timeoutMs} ms:\n${killed.stderr}`)
    },
    stop,
  }
}
