/**
 * The layering rule (shared/style.md: imports point down only) is enforced by ESLint. These cases lint a
 * probe file placed in each layer and prove that a wrong-way import fails and a right-way one passes.
 */
import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'

const root = fileURLToPath(new URL('../..', import.meta.url))
// The probe does not exist on disk, so it is linted without type information (the layering rules need none).
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [{ files: ['**/layering-probe.ts'], ...tseslint.configs.disableTypeChecked }],
})

async function lintImport(layer: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(
    `import * as m from '${specifier}'\nexport const x = m\n`,
    {
      filePath: `${root}src/${layer}/layering-probe.ts`,
    },
  )
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message)
}

describe('layering lint', () => {
  it.each([
    ['crypto', '../cli/main.js'],
    ['crypto', '../index.js'],
    ['shared', '../crypto/index.js'],
    ['cli', '../crypto/index.js'],
  ])('refuses %s importing %s', async (layer, specifier) => {
    expect(await lintImport(layer, specifier)).toContain('import-x/no-restricted-paths')
  })

  it.each([
    ['crypto', '../shared/errors.js'],
    ['client', '../crypto/index.js'],
    ['cli', '../shared/result.js'],
    ['app/renderer', '../../shared/errors.js'],
  ])('allows %s importing %s', async (layer, specifier) => {
    expect(await lintImport(layer, specifier)).toEqual([])
  })

  it.each([
    ['../../crypto/index.js', 'import-x/no-restricted-paths'],
    ['../../cli/main.js', 'import-x/no-restricted-paths'],
    ['node:fs', 'no-restricted-imports'],
    ['path', 'no-restricted-imports'],
    ['electron', 'no-restricted-imports'],
    ['sodium-native', 'no-restricted-imports'],
  ])('keeps %s out of the renderer', async (specifier, rule) => {
    expect(await lintImport('app/renderer', specifier)).toContain(rule)
  })
})
