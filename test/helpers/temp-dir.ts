import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base } from 'vitest'

/** A vitest fixture giving each test its own temp directory, removed when the test ends. */
export const test = base.extend<{ tempDir: string }>({
  // eslint-disable-next-line no-empty-pattern
  tempDir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'peermail-test-'))
    await use(dir)
    await rm(dir, { recursive: true, force: true })
  },
})
