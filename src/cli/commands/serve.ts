import type { Command } from 'commander'
import type { Account } from '../../client/index.js'
import { startLocalServer } from '../../app/main/index.js'
import { startLocalSubmission } from '../../client/local-submission.js'
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
    .option(
      '--smtp-port <n>',
      'also take mail from mail clients by SMTP on this port (0: any free one); see `peermail smtp-password`',
    )
    .addHelpText(
      'after',
      [
        '',
        'Prints one line: the URL of your inbox, to open in a browser, with the per-run access token',
        'after #token= (--json: {"url","port"}). Anyone with that URL can read and send your mail:',
        'do not share it.',
        'Ctrl-C (or SIGTERM) closes the server and the account cleanly and exits 0.',
        '',
        'With --smtp-port, ordinary mail clients on this machine can send as this account: SMTP on the',
        'same host, AUTH with your pm1… address and the password `peermail smtp-password` made',
        '(--json adds "smtpPort").',
        '',
        'Examples:',
        '  peermail serve --port 8025',
        '  peermail serve --smtp-port 1587',
      ].join('\n'),
    )
    .action(async (opts: { port: string; host: string; smtpPort?: string }) => {
      const g = globals()
      if (!LOCAL_HOSTS.includes(opts.host))
        throw new CliUsageError(`--host must be 127.0.0.1 or localhost, not ${opts.host}`)
      const port = toInt(opts.port, 'port', 0)
      if (port > 65535) throw new CliUsageError('--port must be at most 65535')
      const smtpPort =
        opts.smtpPort === undefined ? undefined : toInt(opts.smtpPort, 'smtp-port', 0)
      if (smtpPort !== undefined && smtpPort > 65535)
        throw new CliUsageError('--smtp-port must be at most 65535')
      const stampDifficulty = testStampDifficulty()
      await withAccount(
        g,
        async (account, stop) => {
          await serveInbox(account, stop, {
            host: opts.host,
            port,
            json: g.json,
            ...(smtpPort === undefined ? {} : { smtpPort }),
          })
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
  options: { host: string; port: number; json: boolean; note?: string; smtpPort?: number },
): Promise<void> {
  const submission =
    options.smtpPort === undefined
      ? undefined
      : await startLocalSubmission(account, { host: options.host, port: options.smtpPort })
  let server: Awaited<ReturnType<typeof startLocalServer>>
  try {
    server = await startLocalServer({
      account,
      host: options.host,
      port: options.port,
      ...(submission ? { submission: { host: submission.host, port: submission.port } } : {}),
      onUnexpected: (err) => {
        process.stderr.write(
          `peermail: unexpected error in an API call: ${err instanceof Error ? err.message : String(err)}\n`,
        )
      },
    })
  } catch (err) {
    await submission?.close()
    throw err
  }
  try {
    print(
      options.json,
      {
        url: server.url,
        port: server.port,
        ...(submission ? { smtpPort: submission.port } : {}),
      },
      () => server.url,
    )
    const smtp = submission
      ? `; SMTP submission on ${submission.host}:${submission.port} (user ${account.address})`
      : ''
    process.stderr.write(
      `${options.note ?? `Online as ${account.address}`}${smtp}; serving until Ctrl-C\n`,
    )
    await sleep(Number.POSITIVE_INFINITY, stop)
  } finally {
    await server.close()
    await submission?.close()
  }
}
