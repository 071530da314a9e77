import {
  openAccount,
  openNode,
  readSettings,
  type Account,
  type PeermailNode,
} from '../client/index.js'
import type { GlobalOptions } from './options.js'
import { askSecret } from './prompt.js'

/** Opens the account offline (no network), runs `fn`, and always closes it. */
export async function withNode(
  globals: GlobalOptions,
  fn: (node: PeermailNode, globals: GlobalOptions) => Promise<void>,
): Promise<void> {
  const passphrase = await askSecret('Passphrase: ')
  const node = await openNode({ home: globals.home, passphrase })
  try {
    await fn(node, globals)
  } finally {
    await node.close()
  }
}

/**
 * Opens the existing account online (asking for its passphrase unless `known` has it), runs `fn`, and
 * always closes it. Ctrl-C (SIGINT) or SIGTERM aborts
 * `stop` instead of killing the process, so the account still closes cleanly (pair logs and the index
 * flushed, the home unlocked); a second signal exits at once for a user who really wants out.
 */
export async function withAccount(
  globals: GlobalOptions,
  fn: (account: Account, stop: AbortSignal) => Promise<void>,
  known: { passphrase?: string; stampDifficulty?: number } = {},
): Promise<void> {
  const { relays } = await readSettings(globals.home)
  const passphrase = known.passphrase ?? (await askSecret('Passphrase: '))
  await untilSignal(async (stop) => {
    const account = await openAccount({
      home: globals.home,
      passphrase,
      create: false,
      ...(globals.bootstrap ? { bootstrap: globals.bootstrap } : {}),
      ...(relays.length > 0 ? { relays } : {}),
      ...(known.stampDifficulty === undefined ? {} : { stampDifficulty: known.stampDifficulty }),
    })
    try {
      await fn(account, stop)
    } finally {
      await account.close()
    }
  })
}

/**
 * Runs `run` with a signal that Ctrl-C (SIGINT) or SIGTERM aborts instead of killing the process, so what
 * it opened still closes cleanly; a second signal exits at once for a user who really wants out.
 */
export async function untilSignal(run: (stop: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143)
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    await run(controller.signal)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/**
 * Resolves after `ms` (Infinity: never), or at once when `stop` aborts. An endless wait still holds a
 * timer: without one, an idle event loop would let Node exit mid-await, skipping the clean close.
 */
export function sleep(ms: number, stop?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop?.aborted) {
      resolve()
      return
    }
    const timer = Number.isFinite(ms)
      ? setTimeout(() => {
          done()
        }, ms)
      : setInterval(() => {}, 2 ** 30)
    const done = () => {
      clearTimeout(timer)
      clearInterval(timer)
      stop?.removeEventListener('abort', done)
      resolve()
    }
    stop?.addEventListener('abort', done, { once: true })
  })
}
