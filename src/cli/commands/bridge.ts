import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import {
  isAlive,
  jsonLog,
  openBridge,
  readBridgeConfig,
  readBridgeStatus,
  settingFromFlag,
  type BridgeSettings,
  type BridgeStatus,
  type OpenBridgeOptions,
} from '../../client/index.js'
import { isPeermailError } from '../../shared/errors.js'
import type { GlobalOptions } from '../options.js'
import { print } from '../output.js'
import { sleep, untilSignal } from '../session.js'
import { CliUsageError } from '../usage-error.js'

/** Flags as commander gives them: text, or absent (defaults apply after the configuration file). */
type BridgeFlags = { config?: string } & { [K in keyof BridgeSettings]?: string | true }

/** Each setting's flag; the setting's key is the flag in camelCase. */
const FLAGS: Record<keyof BridgeSettings, string> = {
  domain: '--domain',
  smtpHost: '--smtp-host',
  smtpPort: '--smtp-port',
  maxSize: '--max-size',
  smarthost: '--smarthost',
  dkimSelector: '--dkim-selector',
  dkimKey: '--dkim-key',
  tlsKey: '--tls-key',
  tlsCert: '--tls-cert',
  mxPort: '--mx-port',
  allowPrivateMx: '--allow-private-mx',
  maxRecipients: '--max-recipients',
  maxConnections: '--max-connections',
  maxConnectionsPerHost: '--max-connections-per-host',
  messageBurst: '--message-burst',
  messagesPerHour: '--messages-per-hour',
}

/** `bridge`: the SMTP bridge between a mail domain and Peermail accounts; `bridge status`. */
export function bridgeCommand(program: Command, globals: () => GlobalOptions): void {
  const bridge = program
    .command('bridge')
    .description('run an SMTP bridge: ordinary mail for DOMAIN in, and out for its accounts')
    // Checked in the action, not by commander: a required option here would also be demanded of
    // `bridge status`.
    .option(
      '--config <file>',
      'JSON configuration file (keys in docs/bridge.md); flags override it',
    )
    .option('--domain <domain>', 'the mail domain served, required (aliases are name@domain)')
    .option('--smtp-port <port>', 'inbound SMTP port, 0 picks a free one (default 25)')
    .option('--smtp-host <address>', 'interface to listen on (default 127.0.0.1)')
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
    .option('--max-size <MB>', 'largest inbound message, megabytes (default 25)')
    .option('--mx-port <port>', 'port of recipient MX hosts without a smarthost (default 25)')
    .option('--allow-private-mx', 'let direct delivery connect to MX hosts on private addresses')
    .option('--max-recipients <n>', 'recipients per inbound message (default 100)')
    .option('--max-connections <n>', 'inbound connections in all (default 100)')
    .option('--max-connections-per-host <n>', 'inbound connections per client (default 10)')
    .option('--message-burst <n>', 'messages per client and sender at once (default 100)')
    .option('--messages-per-hour <n>', 'messages per client and sender per hour (default 600)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  peermail --home ~/bridge bridge --domain example.org --smtp-port 2525',
        '  peermail --home ~/bridge bridge --config /etc/peermail/bridge.json',
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
      // One JSON object a line on stderr ({ time, level, event, fields }); never message contents.
      const log = jsonLog((line) => process.stderr.write(line))
      await untilSignal(async (stop) => {
        const bridge = await openBridge({ ...options, ...(bootstrap ? { bootstrap } : {}), log })
        log('bridge-started', {
          domain: bridge.domain,
          address: bridge.address,
          smtpPort: bridge.smtpPort,
          outbound: options.smarthost !== undefined ? 'smarthost' : 'direct',
        })
        try {
          print(
            json,
            { address: bridge.address, domain: bridge.domain, smtpPort: bridge.smtpPort },
            () =>
              `Bridge for ${bridge.domain} running: ${bridge.address}\nSMTP on ${options.smtp.host}:${bridge.smtpPort}`,
          )
          await sleep(Infinity, stop)
        } finally {
          await bridge.close()
          log('bridge-stopped', {})
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

// The configuration file, then flags over it, to library options. Every mistake is a usage error
// naming the flag, or the file and the key.
async function bridgeOptions(home: string, flags: BridgeFlags): Promise<OpenBridgeOptions> {
  const { settings, sourceOf } = await bridgeSettings(flags)
  if (settings.domain === undefined)
    throw new CliUsageError(
      'required option \'--domain <domain>\' (or "domain" in --config) not specified',
    )
  for (const [a, b] of [
    ['dkimSelector', 'dkimKey'],
    ['tlsKey', 'tlsCert'],
  ] as const) {
    if ((settings[a] === undefined) !== (settings[b] === undefined))
      throw new CliUsageError(`${FLAGS[a]} and ${FLAGS[b]} (${a} and ${b}) go together`)
  }
  const readPem = async (key: 'dkimKey' | 'tlsKey' | 'tlsCert'): Promise<Buffer> => {
    const path = settings[key] ?? ''
    try {
      return await readFile(path)
    } catch (err) {
      throw new CliUsageError(`${sourceOf(key)}: cannot read ${path} (${(err as Error).message})`)
    }
  }
  const tls =
    settings.tlsKey !== undefined && settings.tlsCert !== undefined
      ? { key: await readPem('tlsKey'), cert: await readPem('tlsCert') }
      : undefined
  const dkim =
    settings.dkimSelector !== undefined && settings.dkimKey !== undefined
      ? { selector: settings.dkimSelector, privateKey: await readPem('dkimKey') }
      : undefined
  const limits = {
    ...(settings.maxRecipients !== undefined ? { maxRecipients: settings.maxRecipients } : {}),
    ...(settings.maxConnections !== undefined ? { maxConnections: settings.maxConnections } : {}),
    ...(settings.maxConnectionsPerHost !== undefined
      ? { maxConnectionsPerHost: settings.maxConnectionsPerHost }
      : {}),
    ...(settings.messageBurst !== undefined ? { messageBurst: settings.messageBurst } : {}),
    ...(settings.messagesPerHour !== undefined
      ? { messagesPerHour: settings.messagesPerHour }
      : {}),
  }
  return {
    home,
    domain: settings.domain,
    smtp: {
      host: settings.smtpHost ?? '127.0.0.1',
      port: settings.smtpPort ?? 25,
      maxMessageBytes: Math.floor((settings.maxSize ?? 25) * 1024 * 1024),
      ...limits,
      ...(tls ? { tls } : {}),
    },
    ...(settings.smarthost !== undefined ? { smarthost: settings.smarthost } : {}),
    direct: {
      ...(settings.mxPort !== undefined ? { port: settings.mxPort } : {}),
      allowPrivateAddresses: settings.allowPrivateMx ?? false,
    },
    ...(dkim ? { dkim } : {}),
  }
}

/** The file's settings with the flags' over them, and where each came from (for error messages). */
async function bridgeSettings(flags: BridgeFlags) {
  try {
    const file = flags.config !== undefined ? await readBridgeConfig(flags.config) : {}
    const given: BridgeSettings = {}
    for (const key of Object.keys(FLAGS) as (keyof BridgeSettings)[]) {
      const value = flags[key]
      if (value !== undefined)
        (given as Record<string, unknown>)[key] = settingFromFlag(key, String(value), FLAGS[key])
    }
    const settings: BridgeSettings = { ...file, ...given }
    const sourceOf = (key: keyof BridgeSettings) =>
      key in given ? FLAGS[key] : `${flags.config ?? ''}: ${JSON.stringify(key)}`
    return { settings, sourceOf }
  } catch (err) {
    if (isPeermailError(err, 'BRIDGE_INVALID_OPTIONS'))
      throw new CliUsageError(err.message.replace(/^Invalid bridge option: /, ''))
    throw err
  }
}
