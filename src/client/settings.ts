import { randomBytes } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeAddress } from '../crypto/index.js'
import { requirePeerIdentity } from '../sync/index.js'
import { ClientError } from './errors.js'
import { hasAccount } from './node.js'

/**
 * What an account keeps between runs that is neither mail nor secret: today, the relays it uses. They
 * are public (the account's signed profile names them), so the file is plain JSON beside the vault; it
 * is written whole and renamed into place, so a crash leaves the old list or the new one, never half.
 */
export interface AccountSettings {
  /** The account's relays, `pm1…` addresses, in the order they were added. */
  relays: string[]
}

const SETTINGS_FILE = 'settings.json'
/** More relays than this buys nothing (each is registered with and synced from) and bloats the profile. */
export const MAX_RELAYS = 8

/** The account's settings; defaults when it has none yet. A damaged file is an error naming it. */
export async function readSettings(home: string): Promise<AccountSettings> {
  if (!(await hasAccount(home))) throw ClientError.NO_ACCOUNT(home)
  const path = join(home, SETTINGS_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { relays: [] }
    throw err
  }
  try {
    return checkSettings(JSON.parse(text))
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    throw ClientError.INVALID_INPUT(`${path} is damaged (${why}); fix or delete it`)
  }
}

/** Adds a relay (a `pm1…` address); adding one already there changes nothing. Returns the new list. */
export async function addRelay(home: string, address: string): Promise<string[]> {
  const relay = canonicalRelay(address)
  const settings = await readSettings(home)
  if (settings.relays.includes(relay)) return settings.relays
  if (settings.relays.length >= MAX_RELAYS)
    throw ClientError.INVALID_INPUT(`an account uses at most ${MAX_RELAYS} relays`)
  return (await writeSettings(home, { ...settings, relays: [...settings.relays, relay] })).relays
}

/** Removes a relay; removing one that is not there is an error (a typo should not pass silently). */
export async function removeRelay(home: string, address: string): Promise<string[]> {
  const relay = canonicalRelay(address)
  const settings = await readSettings(home)
  if (!settings.relays.includes(relay))
    throw ClientError.INVALID_INPUT(`${relay} is not one of this account's relays`)
  const relays = settings.relays.filter((r) => r !== relay)
  return (await writeSettings(home, { ...settings, relays })).relays
}

async function writeSettings(home: string, settings: AccountSettings): Promise<AccountSettings> {
  const path = join(home, SETTINGS_FILE)
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600, flush: true })
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  return settings
}

/** The relay's bare `pm1…` address (a `pm1…@peermail.invalid` form is accepted too). */
function canonicalRelay(address: unknown): string {
  if (typeof address !== 'string') throw ClientError.INVALID_INPUT('a relay address must be text')
  return encodeAddress(requirePeerIdentity(address))
}

function checkSettings(value: unknown): AccountSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not a JSON object')
  const { relays } = value as { relays?: unknown }
  if (relays === undefined) return { relays: [] }
  if (!Array.isArray(relays) || relays.length > MAX_RELAYS)
    throw new Error(`relays must be a list of at most ${MAX_RELAYS} addresses`)
  const canonical = relays.map(canonicalRelay)
  if (new Set(canonical).size !== canonical.length) throw new Error('a relay is listed twice')
  return { relays: canonical }
}
