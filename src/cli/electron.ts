import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { PeermailError } from '../shared/errors.js'

/** The built Electron main process (`dist/app/electron/main.js`, beside this file's `dist/cli/`). */
export const ELECTRON_MAIN = fileURLToPath(new URL('../app/electron/main.js', import.meta.url))

/**
 * The Electron binary, when one is installed: the `electron` package names it (and honours
 * ELECTRON_OVERRIDE_DIST_PATH); without its download (as on machines with no internet) there is none.
 */
export function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown
    return typeof path === 'string' && existsSync(path) ? path : undefined
  } catch {
    return undefined
  }
}

/**
 * Runs the Electron shell on the account in `home` until it exits (or `stop` aborts, which closes it).
 * The main process opens the account itself, so the caller must not hold it open; the passphrase goes
 * in its environment, as `PEERMAIL_PASSPHRASE` would for any command.
 */
export async function runElectron(
  binary: string,
  env: { home: string; passphrase: string; bootstrap?: string; smtpPort?: number },
  stop: AbortSignal,
): Promise<void> {
  const child = spawn(binary, [ELECTRON_MAIN], {
    stdio: 'inherit',
    env: {
      ...process.env,
      PEERMAIL_HOME: env.home,
      PEERMAIL_PASSPHRASE: env.passphrase,
      ...(env.bootstrap === undefined ? {} : { PEERMAIL_BOOTSTRAP: env.bootstrap }),
      ...(env.smtpPort === undefined ? {} : { PEERMAIL_SMTP_PORT: String(env.smtpPort) }),
    },
  })
  const onStop = () => child.kill('SIGTERM')
  stop.addEventListener('abort', onStop)
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (exitCode) => {
        resolve(exitCode)
      })
    })
    if (code !== 0 && !stop.aborted)
      throw new PeermailError(
        'ELECTRON_FAILED',
        `The Electron shell exited with code ${String(code)}`,
      )
  } finally {
    stop.removeEventListener('abort', onStop)
  }
}
