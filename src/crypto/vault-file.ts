import { readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { publish, syncDirectory, writeTempFile } from '../shared/atomic-file.js'
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
  const { temp } = await writeTempFile(dirname(path), (handle) => handle.writeFile(blob))
  if (!(await publish(temp, path))) {
    await unlink(temp).catch(() => {})
    throw CryptoError.VAULT_EXISTS(path)
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
    const blob = await lockSecret(secret, newPassphrase, params)
    const { temp } = await writeTempFile(dirname(path), (handle) => handle.writeFile(blob))
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

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code
}
