/**
 * Builds the inbox UI (src/app/renderer) into dist/ui, which `peermail serve` serves and Electron loads.
 * The output must run under the page's CSP (src/app/main/ui.ts): no inline script, nothing remote.
 */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('./src/app/renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    // The polyfill would be an inline script, which the CSP refuses; every target browser has preload.
    modulePreload: { polyfill: false },
    // Nothing is inlined as a data: URL script; assets are files served from 'self'.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
})
