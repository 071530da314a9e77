import { randomBytes } from 'node:crypto'
import { link, open, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * New files that appear whole or not at all: written under a temporary name in the target's directory,
 * fsynced, then linked into place (`link` fails on an existing name where `rename` would replace it), then
 * the directory is fsynced. Mode 0600: what Peermail writes (vaults, exported mail) is private.
 */

/** Writes a temp file in `dir` through `fill` and fsyncs it; on failure the temp file is removed. */
export async function writeTempFile<T>(
  dir: string,
  fill: (handle: FileHandle) => Promise<T>,
): Promise<{ temp: string; result: T }> {
  const temp = join(dir, `.peermail-${process.pid}-${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', 0o600)
  try {
    const result = await fill(handle)
    await handle.sync()
    await handle.close()
    return { temp, result }
  } catch (err) {
    await handle.close().catch(() => undefined)
    await unlink(temp).catch(() => undefined)
    throw err
  }
}

/**
 * Gives the finished `temp` file the name `target`, unless a file of that name exists: then returns false
 * and keeps `temp` for the caller to retry under another name or remove.
 */
export async function publish(temp: string, target: string): Promise<boolean> {
  try {
    await link(temp, target)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EEXIST') return false
    throw err
  }
  await unlink(temp)
  return true
}

/** Makes the new names in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
