import { randomBytes } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeAddress } from '../crypto/index.js'
import { validateMailAddress } from '../mailbox/index.js'
import { peerIdentityOf, requirePeerIdentity } from '../sync/index.js'
import { ClientError } from './errors.js'
import { hasAccount } from './node.js'

/**
 * What an account keeps between runs that is neither mail nor secret: the relays it uses and the senders
 * whose remote content it loads. The relays are public (the account's signed profile names them), so the
 * file is plain JSON beside the vault; it is written whole and renamed into place, so a crash leaves the
 * old settings or the new ones, never half.
 */
export interface AccountSettings {
  /** The account's relays, `pm1…` addresses, in the order they were added. */
  relays: string[]
  /**
   * Senders whose remote images the inbox loads (bare `pm1…` or lower-case `name@domain` addresses).
   * Kept here rather than on the mailbox's contact record: it is a display preference, it applies to
   * ordinary senders who are not contacts, and the encrypted mailbox stays untouched by a UI setting.
   * The list says whose mail this account reads with images on (a privacy cost the user chose, with
   * the file's mode 0600 as its only guard), never anything secret.
   */
  remoteContent: string[]
}

const SETTINGS_FILE = 'settings.json'
/** More relays than this buys nothing (each is registered with and synced from) and bloats the profile. */
export const MAX_RELAYS = 8
/** Far above what one person allows by hand; bounds the file a damaged UI could grow. */
export const MAX_REMOTE_CONTENT_SENDERS = 1000

const DEFAULTS: AccountSettings = { relays: [], remoteContent: [] }

/** The account's settings; defaults when it has none yet. A damaged file is an error naming it. */
export async function readSettings(home: string): Promise<AccountSettings> {
  if (!(await hasAccount(home))) throw ClientError.NO_ACCOUNT(home)
  const path = join(home, SETTINGS_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULTS }
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
  return serialised(home, async () => {
    const settings = await readSettings(home)
    if (settings.relays.includes(relay)) return settings.relays
    if (settings.relays.length >= MAX_RELAYS)
      throw ClientError.INVALID_INPUT(`an account uses at most ${MAX_RELAYS} relays`)
    return (await writeSettings(home, { ...settings, relays: [...settings.relays, relay] })).relays
  })
}

/** Removes a relay; removing one that is not there is an error (a typo should not pass silently). */
export async function removeRelay(home: string, address: string): Promise<string[]> {
  const relay = canonicalRelay(address)
  return serialised(home, async () => {
    const settings = await readSettings(home)
    if (!settings.relays.includes(relay))
      throw ClientError.INVALID_INPUT(`${relay} is not one of this account's relays`)
    const relays = settings.relays.filter((r) => r !== relay)
    return (await writeSettings(home, { ...settings, relays })).relays
  })
}

/**
 * Allows (or, with `allowed` false, stops allowing) remote content in mail from `sender`. Idempotent;
 * returns the new list.
 */
export async function setRemoteContent(
  home: string,
  sender: string,
  allowed: boolean,
): Promise<string[]> {
  const canonical = canonicalSender(sender)
  return serialised(home, async () => {
    const settings = await readSettings(home)
    if (settings.remoteContent.includes(canonical) === allowed) return settings.remoteContent
    if (allowed && settings.remoteContent.length >= MAX_REMOTE_CONTENT_SENDERS)
      throw ClientError.INVALID_INPUT(
        `remote content is allowed for at most ${MAX_REMOTE_CONTENT_SENDERS} senders`,
      )
    const remoteContent = allowed
      ? [...settings.remoteContent, canonical]
      : settings.remoteContent.filter((s) => s !== canonical)
    return (await writeSettings(home, { ...settings, remoteContent })).remoteContent
  })
}

// One read-modify-write at a time per home in this process: two changes made at once (a relay added
// while a sender is allowed) must both land, not the later write undo the earlier one.
const pending = new Map<string, Promise<unknown>>()

function serialised<T>(home: string, change: () => Promise<T>): Promise<T> {
  const run = (pending.get(home) ?? Promise.resolve()).then(change, change)
  const settled = run.catch(() => {})
  pending.set(home, settled)
  void settled.then(() => {
    if (pending.get(home) === settled) pending.delete(home)
  })
  return run
}

/**
 * A sender as the allow list keeps it: a Peermail address (bare or `@peermail.invalid`) as its bare
 * `pm1…` form, an ordinary one lower-cased after the mailbox's own strict address check.
 */
export function canonicalSender(sender: unknown): string {
  if (typeof sender !== 'string') throw ClientError.INVALID_INPUT('a sender must be text')
  const trimmed = sender.trim()
  const peer = peerIdentityOf(trimmed)
  if (peer) return encodeAddress(peer)
  try {
    return validateMailAddress({ name: '', address: trimmed }).address.toLowerCase()
  } catch {
    throw ClientError.INVALID_INPUT(`${JSON.stringify(trimmed.slice(0, 80))} is not an address`)
  }
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
  const { relays = [], remoteContent = [] } = value as { relays?: unknown; remoteContent?: unknown }
  if (!Array.isArray(relays) || relays.length > MAX_RELAYS)
    throw new Error(`relays must be a list of at most ${MAX_RELAYS} addresses`)
  const canonical = relays.map(canonicalRelay)
  if (new Set(canonical).size !== canonical.length) throw new Error('a relay is listed twice')
  if (!Array.isArray(remoteContent) || remoteContent.length > MAX_REMOTE_CONTENT_SENDERS)
    throw new Error(`remoteContent must be a list of at most ${MAX_REMOTE_CONTENT_SENDERS} senders`)
  // Duplicates are harmless here (a set in effect), so they are merged rather than refused.
  return { relays: canonical, remoteContent: [...new Set(remoteContent.map(canonicalSender))] }
}
