import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { deriveAccountKeys, generateSeed, keyIdOf, randomBytes } from '../../../src/crypto/index.js'
import { PrekeyStore } from '../../../src/sync/prekeys.js'
import { sealingKeyOf } from '../../../src/sync/profile.js'
import { test } from '../../helpers/temp-dir.js'

const DAY = 24 * 3600 * 1000
const policy = { rotateEveryMs: 7 * DAY, lifetimeMs: 14 * DAY, graceMs: 30 * DAY }

describe('prekey store', () => {
  test('rotates on schedule, keeps secrets through the grace period, then forgets them', async ({
    tempDir,
  }) => {
    const path = join(tempDir, 'prekeys')
    const key = randomBytes(32)
    const t0 = 1_800_000_000_000
    const store = await PrekeyStore.open(path, key, policy)
    expect(await store.maintain(t0)).toBe(true)
    const [first] = store.published(t0)
    if (!first) throw new Error('no prekey')
    expect(await store.maintain(t0 + DAY)).toBe(false) // not due yet

    expect(await store.maintain(t0 + 7 * DAY)).toBe(true)
    const published = store.published(t0 + 7 * DAY)
    expect(published).toHaveLength(2)
    expect(published[1]?.publicKey.equals(first.publicKey)).toBe(true) // newest first

    // Reopened from disk: the same secrets.
    store.close()
    const again = await PrekeyStore.open(path, key, policy)
    const firstId = keyIdOf(first.publicKey)
    expect(again.find(firstId)?.publicKey.equals(first.publicKey)).toBe(true)

    // Expired at t0+14d, secret kept until t0+44d, then gone from memory and from the file.
    expect(again.published(t0 + 15 * DAY).some((p) => p.publicKey.equals(first.publicKey))).toBe(
      false,
    )
    await again.maintain(t0 + 43 * DAY)
    expect(again.find(firstId)).toBeDefined()
    await again.maintain(t0 + 45 * DAY)
    expect(again.find(firstId)).toBeUndefined()
    again.close()
    const reopened = await PrekeyStore.open(path, key, policy)
    expect(reopened.find(firstId)).toBeUndefined()
    reopened.close()
  })

  test('the file is sealed: a wrong key or a changed byte is refused', async ({ tempDir }) => {
    const path = join(tempDir, 'prekeys')
    const key = randomBytes(32)
    const store = await PrekeyStore.open(path, key, policy)
    await store.maintain(Date.now())
    store.close()
    await expect(PrekeyStore.open(path, randomBytes(32), policy)).rejects.toThrow()
    const bytes = await readFile(path)
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1
    await writeFile(path, bytes)
    await expect(PrekeyStore.open(path, key, policy)).rejects.toThrow()
  })
})

describe('choosing the key to seal to', () => {
  const keys = deriveAccountKeys(generateSeed())
  const profile = {
    identity: keys.identity.publicKey,
    encryptionKey: keys.encryption.publicKey,
    stampDifficulty: 0,
    issuedAt: 0,
    relays: [],
  }
  const old = { publicKey: randomBytes(32), expiresAt: 1000 }
  const newer = { publicKey: randomBytes(32), expiresAt: 2000 }

  test('the newest valid prekey; never an expired one; the long-term key when none is valid', () => {
    expect(sealingKeyOf({ ...profile, prekeys: [old, newer] }, 500)).toBe(newer.publicKey)
    expect(sealingKeyOf({ ...profile, prekeys: [newer, old] }, 1500)).toBe(newer.publicKey)
    expect(sealingKeyOf({ ...profile, prekeys: [old] }, 1500)).toBe(keys.encryption.publicKey)
    expect(sealingKeyOf({ ...profile, prekeys: [] }, 0)).toBe(keys.encryption.publicKey)
  })
})
