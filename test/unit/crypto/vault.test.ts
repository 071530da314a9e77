import { describe, expect } from 'vitest'
import { readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  changeVaultPassphrase,
  createVaultFile,
  generateSeed,
  lockSecret,
  openVaultFile,
  unlockSecret,
  VAULT_HEADER_BYTES,
  VAULT_PARAMS_INTERACTIVE,
  VAULT_PARAMS_MODERATE,
  vaultParams,
} from '../../../src/crypto/index.js'
import { test } from '../../helpers/temp-dir.js'

// Small Argon2id limits keep the suite fast; the default (moderate) is checked once below.
const FAST = { opsLimit: 1, memLimit: 8192 * 8 }

describe('vault', () => {
  test('locks and unlocks a secret', async () => {
    const secret = generateSeed()
    const blob = await lockSecret(secret, 'pass phrase', FAST)
    expect(blob.byteLength).toBe(VAULT_HEADER_BYTES + 32 + 16)
    expect(blob.includes(secret)).toBe(false)
    expect((await unlockSecret(blob, 'pass phrase')).equals(secret)).toBe(true)
  })

  test('uses moderate Argon2id limits by default and records them', async () => {
    expect(VAULT_PARAMS_MODERATE.memLimit).toBeGreaterThan(VAULT_PARAMS_INTERACTIVE.memLimit)
    const blob = await lockSecret(Buffer.from('s'), 'pw')
    expect(vaultParams(blob)).toEqual(VAULT_PARAMS_MODERATE)
    expect((await unlockSecret(blob, 'pw')).toString()).toBe('s')
  })

  test('a wrong passphrase gives a coded error', async () => {
    const blob = await lockSecret(Buffer.from('secret'), 'right', FAST)
    await expect(unlockSecret(blob, 'wrong')).rejects.toMatchObject({
      code: 'VAULT_WRONG_PASSPHRASE',
    })
    await expect(unlockSecret(blob, 'Right')).rejects.toMatchObject({
      code: 'VAULT_WRONG_PASSPHRASE',
    })
  })

  test('normalises the passphrase to NFC', async () => {
    const blob = await lockSecret(Buffer.from('s'), 'caf\u00e9', FAST)
    expect((await unlockSecret(blob, 'cafe\u0301')).toString()).toBe('s')
  })

  test('detects tampering with any byte, including the parameters', async () => {
    const blob = await lockSecret(Buffer.from('secret'), 'pw', FAST)
    for (let i = 0; i < blob.byteLength; i++) {
      const tampered = Buffer.from(blob)
      tampered[i]! ^= 0x01
      const err = await unlockSecret(tampered, 'pw').then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(['VAULT_WRONG_PASSPHRASE', 'VAULT_CORRUPT']).toContain((err as { code?: string }).code)
    }
  })

  test('refuses absurd stored parameters before running Argon2id', async () => {
    const blob = await lockSecret(Buffer.from('secret'), 'pw', FAST)
    const huge = Buffer.from(blob)
    huge.writeUInt32BE(0xffffffff, 10)
    await expect(unlockSecret(huge, 'pw')).rejects.toMatchObject({ code: 'VAULT_CORRUPT' })
    await expect(unlockSecret(Buffer.from('PMVT'), 'pw')).rejects.toMatchObject({
      code: 'VAULT_CORRUPT',
    })
    await expect(unlockSecret(Buffer.alloc(100), 'pw')).rejects.toMatchObject({
      code: 'VAULT_CORRUPT',
    })
  })

  test('refuses empty passphrases and bad parameters', async () => {
    await expect(lockSecret(Buffer.from('s'), '', FAST)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(
      lockSecret(Buffer.from('s'), 'pw', { opsLimit: 0, memLimit: 8192 }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
  })
})

describe('vault file', () => {
  test('creates with mode 0600 and opens', async ({ tempDir }) => {
    const path = join(tempDir, 'vault')
    const secret = generateSeed()
    await createVaultFile(path, secret, 'pw', FAST)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await openVaultFile(path, 'pw')).equals(secret)).toBe(true)
    expect(await readdir(tempDir)).toEqual(['vault'])
  })

  test('never overwrites an existing vault', async ({ tempDir }) => {
    const path = join(tempDir, 'vault')
    await createVaultFile(path, Buffer.from('first'), 'pw', FAST)
    const before = await readFile(path)
    await expect(createVaultFile(path, Buffer.from('second'), 'pw', FAST)).rejects.toMatchObject({
      code: 'VAULT_EXISTS',
    })
    expect((await readFile(path)).equals(before)).toBe(true)
    expect(await readdir(tempDir)).toEqual(['vault'])
  })

  test('a wrong passphrase changes nothing on disk', async ({ tempDir }) => {
    const path = join(tempDir, 'vault')
    await createVaultFile(path, Buffer.from('secret'), 'right', FAST)
    const before = await readFile(path)
    const mtime = (await stat(path)).mtimeMs
    await expect(openVaultFile(path, 'wrong')).rejects.toMatchObject({
      code: 'VAULT_WRONG_PASSPHRASE',
    })
    await expect(changeVaultPassphrase(path, 'wrong', 'new', FAST)).rejects.toMatchObject({
      code: 'VAULT_WRONG_PASSPHRASE',
    })
    expect((await readFile(path)).equals(before)).toBe(true)
    expect((await stat(path)).mtimeMs).toBe(mtime)
    expect(await readdir(tempDir)).toEqual(['vault'])
  })

  test('changes the passphrase atomically', async ({ tempDir }) => {
    const path = join(tempDir, 'vault')
    await createVaultFile(path, Buffer.from('secret'), 'old', FAST)
    await changeVaultPassphrase(path, 'old', 'new', FAST)
    expect((await openVaultFile(path, 'new')).toString()).toBe('secret')
    await expect(openVaultFile(path, 'old')).rejects.toMatchObject({
      code: 'VAULT_WRONG_PASSPHRASE',
    })
    expect(await readdir(tempDir)).toEqual(['vault'])
  })

  test('reports a missing or damaged file with codes', async ({ tempDir }) => {
    await expect(openVaultFile(join(tempDir, 'none'), 'pw')).rejects.toMatchObject({
      code: 'VAULT_NOT_FOUND',
    })
    const path = join(tempDir, 'junk')
    await writeFile(path, 'not a vault at all, just some text that is long enough')
    await expect(openVaultFile(path, 'pw')).rejects.toMatchObject({ code: 'VAULT_CORRUPT' })
  })
})
