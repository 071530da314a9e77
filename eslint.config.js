// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import importX from 'eslint-plugin-import-x'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'
import { builtinModules } from 'node:module'

/**
 * Layering (shared/style.md): imports point down only. Each zone lists what a layer may NOT import;
 * a wrong-way import fails `npm run lint`. test/unit/layering.test.ts proves the rule bites.
 */
const layer = (name) => `./src/${name}`
const zones = [
  {
    target: layer('shared'),
    from: ['crypto', 'mailbox', 'sync', 'bridge', 'client', 'cli', 'app'].map(layer),
  },
  {
    target: layer('crypto'),
    from: ['mailbox', 'sync', 'bridge', 'client', 'cli', 'app'].map(layer),
  },
  { target: layer('mailbox'), from: ['sync', 'bridge', 'client', 'cli', 'app'].map(layer) },
  { target: layer('sync'), from: ['bridge', 'client', 'cli', 'app'].map(layer) },
  { target: layer('bridge'), from: ['client', 'cli', 'app'].map(layer) },
  { target: layer('client'), from: ['cli', 'app'].map(layer) },
  // `peermail serve` starts the app's server, so the CLI may import app/main (the app sits on top of the
  // client and the CLI is allowed to start it); never the preload or the renderer. app/main in turn may
  // not import the CLI, so the two cannot form a cycle.
  {
    target: layer('cli'),
    from: ['app/preload', 'app/renderer', 'crypto', 'mailbox', 'sync', 'bridge'].map(layer),
  },
  {
    target: layer('app/main'),
    from: ['cli', 'app/preload', 'app/renderer', 'app/electron'].map(layer),
  },
  // The Electron shell sits on top like the CLI: it may start app/main, never reach into the renderer.
  { target: layer('app/electron'), from: ['cli', 'app/preload', 'app/renderer'].map(layer) },
  // The renderer imports the IPC contract, so the contract must not pull in anything privileged.
  {
    target: layer('app/ipc'),
    from: ['crypto', 'mailbox', 'sync', 'bridge', 'client', 'cli', 'app/main', 'app/preload'].map(
      layer,
    ),
  },
  {
    target: layer('app/renderer'),
    from: [
      'crypto',
      'mailbox',
      'sync',
      'bridge',
      'client',
      'cli',
      'app/main',
      'app/preload',
      'app/electron',
    ].map(layer),
  },
].map((zone) => ({
  ...zone,
  // The package root re-exports every layer, so no layer may reach back up through it either.
  from: [...zone.from, './src/index.ts'],
  message: 'Layering: imports point down only (see shared/style.md).',
}))

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    // Resolves `./x.js` specifiers to their `.ts` sources, so the layering zones see every import.
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The renderer runs in an untrusted page: no Node built-ins, no Electron, no native crypto.
    files: ['src/app/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', ...builtinModules],
              message: 'The renderer may not use Node APIs.',
            },
            {
              group: [
                'electron',
                'sodium-native',
                'hypercore',
                'corestore',
                'hyperswarm',
                'hyperbee',
              ],
              message: 'The renderer may not import privileged modules.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
)
