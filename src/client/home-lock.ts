import { open, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { ClientError } from './errors.js'

/**
 * One process per account home: a `lock` file holding the owner's pid, created exclusively. A lock left
 * by a process that no longer exists (crash, kill -9) is taken over; a live owner gives ALREADY_OPEN with
 * its pid, instead of two processes corrupting one store.
 */
export async function lockHome(home: string): Promise<{ release(): Promise<void> }> {
  const path = join(home, 'lock')
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600)
      await handle.writeFile(String(process.pid))
      await handle.close()
      return { release: () => unlink(path).catch(() => {}) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw ClientError.ALREADY_OPEN(home, owner)
      }
      await unlink(path).catch(() => {})
    }
  }
  throw ClientError.ALREADY_OPEN(home, 0)
}

/** True while a process with this pid exists (EPERM: it does, as another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
