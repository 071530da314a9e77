import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import {
  isAlive,
  openBridge,
  readBridgeStatus,
  type BridgeStatus,
  type OpenBridgeOptions,
} from '../../client/index.js'
import type { GlobalOptions } from '../options.js'
import { print } from '../output.js'
import { sleep, untilSignal } from '../session.js'
import { CliUsageError } from '../usage-error.js'

interface BridgeFlags {
  domain?: string
  smtpPort: string
  smtpHost: string
  smarthost?: string
  dkimSelector?: string
  dkimKey?: string
  tlsKey?: string
  tlsCert?: string
  maxSize: string
}

/** `bridge`: the SMTP bridge between a mail domain and Peermail accounts; `bridge status`. */
export function bridgeCommand(program: Command, globals: () => GlobalOptions): void {
  const bridge = program
    .command('bridge')
    .description('run an SMTP bridge: ordinary mail for DOMAIN in, and out for its accounts')
    // Checked in the action, not by commander: a required option here would also be demanded of
    // `bridge status`.
    .option('--domain <domain>', 'the mail domain served, required (aliases are name@domain)')
    .option('--smtp-port <port>', 'inbound SMTP port (0 picks a free one)', '25')
    .option('--smtp-host <address>', 'interface to listen on', '127.0.0.1')
    .option(
      '--smarthost <url>',
      'where outbound mail goes: smtp://host:port or smtps://user:pass@host:port',
    )
    .option(
      '--dkim-selector <selector>',
      'DKIM selector published under <selector>._domainkey.DOMAIN',
    )
    .option('--dkim-key <file>', 'PEM private key that signs outbound mail (with --dkim-selector)')
    .option('--tls-key <file>', 'PEM key for STARTTLS (with --tls-cert)')
    .option('--tls-cert <file>', 'PEM certificate chain for STARTTLS (with --tls-key)')
    .option('--max-size <MB>', 'largest inbound message, megabytes', '25')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  peermail --home ~/bridge bridge --domain example.org --smtp-port 2525',
        '  peermail --home ~/bridge bridge --domain example.org --smtp-host 0.0.0.0 --smtp-port 25 \\',
        '      --smarthost smtp://relay.example.net:587 --dkim-selector pm --dkim-key dkim.pem \\',
        '      --tls-key key.pem --tls-cert cert.pem',
        '',
        'Runs until Ctrl-C and prints the bridge address (events go to stderr, one JSON object a line);',
        'accounts then run `peermail alias add name@DOMAIN --bridge ADDRESS`. The bridge keeps its',
        'own passphrase in its home (bridge-passphrase, mode 0600). docs/bridge.md: setup and DNS.',
      ].join('\n'),
    )
    .action(async (flags: BridgeFlags) => {
      const { home, json, bootstrap } = globals()
      const options = await bridgeOptions(home, flags)
      await untilSignal(async (stop) => {
        const bridge = await openBridge({
          ...options,
          ...(bootstrap ? { bootstrap } : {}),
          // Structured events, one JSON object a line on stderr; they never hold contents or addresses.
          log: (event, detail) => {
            process.stderr.write(
              `${JSON.stringify({ at: new Date().toISOString(), event, ...detail })}\n`,
            )
          },
        })
        try {
          print(
            json,
            { address: bridge.address, domain: bridge.domain, smtpPort: bridge.smtpPort },
            () =>
              `Bridge for ${bridge.domain} running: ${bridge.address}\nSMTP on ${flags.smtpHost}:${bridge.smtpPort}`,
          )
          await sleep(Infinity, stop)
        } finally {
          await bridge.close()
        }
      })
    })

  bridge
    .command('status')
    .description(
      'how the bridge in --home is doing: running or not, queue, aliases, latest deliveries',
    )
    .addHelpText('after', '\nExample:\n  peermail --home ~/bridge bridge status --json')
    .action(async () => {
      const { home, json } = globals()
      const status = await readBridgeStatus(home)
      if (!status) throw new CliUsageError(`no bridge has run in ${home}`)
      // The status file outlives a killed bridge: its pid says whether it still runs.
      const running = status.stoppedAt === undefined && isAlive(status.pid)
      print(json, { running, ...status }, () => describeStatus(status, running))
    })
}

function describeStatus(status: BridgeStatus, running: boolean): string {
  const { totals } = status
  return [
    `Bridge for ${status.domain}: ${running ? `running (pid ${status.pid}), SMTP on port ${status.smtpPort}` : `not running (last seen ${status.updatedAt})`}`,
    `Address: ${status.address}`,
    `Outbound queue: ${status.queue} waiting`,
    `Since ${status.startedAt}: ${totals.inbound} in, ${totals.outboundDelivered} out, ${totals.outboundBounced} bounced, ${totals.deferred} deferred`,
    `Aliases (${status.aliases.length}):`,
    ...status.aliases.map((a) => `  ${a.alias} → ${a.account}`),
    'Latest:',
    ...status.recent.map(
      (r) =>
        `  ${r.at}  ${r.event}  ${Object.entries(r.detail)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
    ),
  ].join('\n')
}

// Flags to library options; every mistake is a usage error naming the flag.
async function bridgeOptions(home: string, flags: BridgeFlags): Promise<OpenBridgeOptions> {
  if (flags.domain === undefined)
    throw new CliUsageError("required option '--domain <domain>' not specified")
  const port = Number(flags.smtpPort)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliUsageError('--smtp-port must be 0-65535')
  const maxSize = Number(flags.maxSize)
  if (!Number.isFinite(maxSize) || maxSize <= 0 || maxSize > 50)
    throw new CliUsageError('--max-size must be a number of megabytes, at most 50')
  if ((flags.dkimSelector === undefined) !== (flags.dkimKey === undefined))
    throw new CliUsageError('--dkim-selector and --dkim-key go together')
  if ((flags.tlsKey === undefined) !== (flags.tlsCert === undefined))
    throw new CliUsageError('--tls-key and --tls-cert go together')
  const tls =
    flags.tlsKey !== undefined && flags.tlsCert !== undefined
      ? {
          key: await readPem(flags.tlsKey, '--tls-key'),
          cert: await readPem(flags.tlsCert, '--tls-cert'),
        }
      : undefined
  const dkim =
    flags.dkimSelector !== undefined && flags.dkimKey !== undefined
      ? { selector: flags.dkimSelector, privateKey: await readPem(flags.dkimKey, '--dkim-key') }
      : undefined
  return {
    home,
    domain: flags.domain,
    smtp: {
      host: flags.smtpHost,
      port,
      maxMessageBytes: Math.floor(maxSize * 1024 * 1024),
      ...(tls ? { tls } : {}),
    },
    ...(flags.smarthost !== undefined ? { smarthost: flags.smarthost } : {}),
    ...(dkim ? { dkim } : {}),
  }
}

async function readPem(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (err) {
    throw new CliUsageError(`${flag}: cannot read ${path} (${(err as Error).message})`)
  }
}
