import type { Command } from 'commander'
import type { Account } from '../../client/index.js'
import { startLocalServer } from '../../app/main/index.js'
import type { GlobalOptions } from '../options.js'
import { print } from '../output.js'
import { toInt } from '../parse.js'
import { sleep, withAccount } from '../session.js'
import { CliUsageError } from '../usage-error.js'

/** The API must never be reachable from another machine, whatever the user types. */
const LOCAL_HOSTS = ['127.0.0.1', 'localhost']

/**
 * TEST ONLY: `PEERMAIL_TEST_STAMP_DIFFICULTY=n` lowers the proof-of-work that strangers must pay for first
 * contact with this account (default 16), so UI tests that make first contact do not wait on it. Clamped
 * to 1..16: it can make first contact cheaper for tests, never free and never dearer than the default.
 * Not for real use: a low difficulty lets strangers flood Requests cheaply.
 */
export const TEST_STAMP_DIFFICULTY_ENV = 'PEERMAIL_TEST_STAMP_DIFFICULTY'
const TEST_STAMP_DIFFICULTY_RANGE = [1, 16] as const

/** The test-only difficulty from the environment, clamped; undefined when unset. */
export function testStampDifficulty(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[TEST_STAMP_DIFFICULTY_ENV]
  if (raw === undefined || raw === '') return undefined
  if (!/^\d{1,3}$/.test(raw))
    throw new CliUsageError(`${TEST_STAMP_DIFFICULTY_ENV} must be a whole number, not ${raw}`)
  const [min, max] = TEST_STAMP_DIFFICULTY_RANGE
  return Math.min(max, Math.max(min, Number(raw)))
}

/** `serve`: go online, serve the inbox UI and answer the local API until told to stop. */
export function serveCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('go online and serve the inbox UI and the local API on 127.0.0.1 (until Ctrl-C)')
    .option('-p, --port <n>', 'port to listen on (default: any free port)', '0')
    .option('--host <host>', 'only 127.0.0.1 or localhost', '127.0.0.1')
    .addHelpText(
      'after',
      [
        '',
        'Prints one line: the URL of your inbox, to open in a browser, with the per-run access token',
        'after #token= (--json: {"url","port"}). Anyone with that URL can read and send your mail:',
        'do not share it.',
        'Ctrl-C (or SIGTERM) closes the server and the account cleanly and exits 0.',
        '',
        'Example:',
        '  peermail serve --port 8025',
      ].join('\n'),
    )
    .action(async (opts: { port: string; host: string }) => {
      const g = globals()
      if (!LOCAL_HOSTS.includes(opts.host))
        throw new CliUsageError(`--host must be 127.0.0.1 or localhost, not ${opts.host}`)
      const port = toInt(opts.port, 'port', 0)
      if (port > 65535) throw new CliUsageError('--port must be at most 65535')
      const stampDifficulty = testStampDifficulty()
      await withAccount(
        g,
        async (account, stop) => {
          await serveInbox(account, stop, { host: opts.host, port, json: g.json })
        },
        stampDifficulty === undefined ? {} : { stampDifficulty },
      )
    })
}

/**
 * Serves the local API and the inbox UI over an open account until `stop`: prints the URL (the token in
 * its fragment) on stdout, a status line on stderr. What `serve` and `start` share.
 */
export async function serveInbox(
  account: Account,
  stop: AbortSignal,
  options: { host: string; port: number; json: boolean; note?: string },
): Promise<void> {
  const server = await startLocalServer({
    account,
    host: options.host,
    port: options.port,
    onUnexpected: (err) => {
      process.stderr.write(
        `peermail: unexpected error in an API call: ${err instanceof Error ? err.message : String(err)}\n`,
      )
    },
  })
  try {
    print(options.json, { url: server.url, port: server.port }, () => server.url)
    process.stderr.write(
      `${options.note ?? `Online as ${account.address}`}; serving until Ctrl-C\n`,
    )
    await sleep(Number.POSITIVE_INFINITY, stop)
  } finally {
    await server.close()
  }
}
