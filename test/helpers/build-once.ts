/**
 * vitest globalSetup: compiles the package once before the tests that run the built `peermail` binary, so
 * `npm test` on a fresh clone tests what a user would run, not the TypeScript sources.
 */
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  })
  // The inbox UI (dist/ui), which `peermail serve` serves and the UI tests drive in Chromium.
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' })
}
