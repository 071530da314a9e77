import { link, open, readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { wipe } from './bytes.js'
import { CryptoError } from './errors.js'
import { lockSecret, unlockSecret, VAULT_PARAMS_MODERATE, type VaultParams } from './vault.js'

/**
 * A vault as a file: written atomically (temp file, fsync, rename, fsync of the directory) with mode 0600,
 * so a crash leaves either the old vault or the new one, and a wrong passphrase never touches it.
 */

/** Creates a vault file; refuses to overwrite an existing one (VAULT_EXISTS). */
export async function createVaultFile(
  path: string,
  secret: Uint8Array,
  passphrase: string,
  params: VaultParams = VAULT_PARAMS_MODERATE,
): Promise<void> {
  const blob = await lockSecret(secret, passphrase, params)
  const temp = await writeTemp(path, blob)
  try {
    await link(temp, path) // fails with EEXIST instead of replacing, unlike rename
  } catch (err) {
    if (isErrno(err, 'EEXIST')) throw CryptoError.VAULT_EXISTS(path)
    throw err
  } finally {
    await unlink(temp).catch(() => {})
  }
  await syncDirectory(dirname(path))
}

/** Reads and unlocks a vault file. */
export async function openVaultFile(path: string, passphrase: string): Promise<Buffer> {
  return unlockSecret(await readVault(path), passphrase)
}

/** Re-locks a vault under a new passphrase (and optionally new parameters) after checking the old one. */
export async function changeVaultPassphrase(
  path: string,
  oldPassphrase: string,
  newPassphrase: string,
  params: VaultParams = VAULT_PARAMS_MODERATE,
): Promise<void> {
  const secret = await unlockSecret(await readVault(path), oldPassphrase)
  try {
    const temp = await writeTemp(path, await lockSecret(secret, newPassphrase, params))
    await rename(temp, path)
    await syncDirectory(dirname(path))
  } finally {
    wipe(secret)
  }
}

async function readVault(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw CryptoError.VAULT_NOT_FOUND(path)
    throw err
  }
}

async function writeTemp(path: string, data: Buffer): Promise<string> {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (err) {
    await unlink(temp).catch(() => {})
    throw err
  } finally {
    await handle.close()
  }
  return temp
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code
}
