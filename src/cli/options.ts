import { homedir } from 'node:os'
import { join } from 'node:path'
import { parseBootstrap, type BootstrapNode } from '../client/index.js'
import { isPeermailError } from '../shared/errors.js'
import { CliUsageError } from './usage-error.js'

/** Options every command takes. */
export interface GlobalOptions {
  home: string
  json: boolean
  debug: boolean
  /** DHT bootstrap nodes; undefined means the public HyperDHT. */
  bootstrap: BootstrapNode[] | undefined
}

/** `--home`, else PEERMAIL_HOME, else ~/.peermail. */
export function defaultHome(): string {
  return process.env.PEERMAIL_HOME ?? join(homedir(), '.peermail')
}

/**
 * `--bootstrap host:port,...`, else PEERMAIL_BOOTSTRAP, else undefined (the public HyperDHT). A bad value
 * is a usage error: silently falling back to the public DHT would leak a private test network's traffic.
 */
export function bootstrapNodes(option: string | undefined): BootstrapNode[] | undefined {
  const env = process.env.PEERMAIL_BOOTSTRAP
  const text = option ?? (env === '' ? undefined : env)
  if (text === undefined) return undefined
  const name = option === undefined ? 'PEERMAIL_BOOTSTRAP' : '--bootstrap'
  const items = text.split(',').map((item) => item.trim())
  if (items.some((item) => item === ''))
    throw new CliUsageError(`${name} takes host:port[,host:port...]`)
  return items.map((item) => {
    try {
      return parseBootstrap(item)
    } catch (err) {
      if (isPeermailError(err)) throw new CliUsageError(`${name}: ${err.message}`)
      throw err
    }
  })
}
