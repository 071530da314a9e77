import { homedir } from 'node:os'
import { join } from 'node:path'

/** Options every command takes. */
export interface GlobalOptions {
  home: string
  json: boolean
  debug: boolean
}

/** `--home`, else PEERMAIL_HOME, else ~/.peermail. */
export function defaultHome(): string {
  return process.env.PEERMAIL_HOME ?? join(homedir(), '.peermail')
}
