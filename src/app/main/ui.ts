import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One file of the built inbox UI, held in memory (the whole UI is a few hundred KB). */
export interface UiFile {
  type: string
  body: Buffer
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
}

/**
 * Where `npm run build` puts the UI (vite, `dist/ui`): next to the compiled server in dist/, or, when the
 * server runs from its TypeScript sources (tests), in the package's dist/.
 */
export function defaultUiDir(): string | undefined {
  const candidates = ['../../ui/', '../../../dist/ui/'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  )
  return candidates.find((dir) => existsSync(join(dir, 'index.html')))
}

/**
 * Loads the built UI once, as a fixed map from URL path to file: a request can only ever get one of these
 * files (no path is joined from a URL, so there is nothing to traverse).
 */
export async function loadUi(dir: string): Promise<Map<string, UiFile>> {
  const files = new Map<string, UiFile>()
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile()) {
        const type = TYPES[extname(entry.name).toLowerCase()]
        if (type === undefined) continue
        const url = `/${relative(dir, path).split(sep).join('/')}`
        files.set(url, { type, body: await readFile(path) })
      }
    }
  }
  await walk(dir)
  return files
}

/**
 * The inbox page's policy: our own scripts only (no inline script, no eval, no remote origin), the API and
 * its event socket on this very port. Inline styles and remote images are allowed for one reason: a mail's
 * HTML is shown in a sandboxed `srcdoc` frame, which inherits this policy, mail is styled inline, and a
 * sender the user allowed may show remote images. The frame adds its own policy on top (`default-src
 * 'none'`, `img-src data:`; remote images only for an allowed sender), the sanitiser drops remote sources
 * for everyone else, and nothing untrusted is ever inserted into the app's own DOM.
 */
export function uiCsp(port?: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https: http:",
    "font-src 'self'",
    // Electron (no port) talks to its main process over IPC only: no network at all.
    port === undefined
      ? "connect-src 'none'"
      : `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** Shown when the UI was not built (`npm run build` builds it). */
export const MISSING_UI_HTML = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Peermail</title>
<h1>Peermail</h1>
<p>The inbox UI is not built. Run <code>npm run build</code>; this server already answers the local API.</p>
</html>
`
