import { readFile, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { BridgeError } from './errors.js'

/**
 * What runs a bridge, from a configuration file or from flags (`peermail bridge --config FILE`): each key
 * is a flag's name in camelCase (`smtpPort` is `--smtp-port`). docs/bridge.md lists them all.
 */
export interface BridgeSettings {
  domain?: string
  smtpHost?: string
  smtpPort?: number
  /** Largest inbound message, megabytes. */
  maxSize?: number
  smarthost?: string
  dkimSelector?: string
  /** Paths to PEM files; in a file, relative to the file's directory. */
  dkimKey?: string
  tlsKey?: string
  tlsCert?: string
  /** The port direct delivery connects to on each MX host. */
  mxPort?: number
  /** Direct delivery may connect to MX hosts on private (non-public) addresses. */
  allowPrivateMx?: boolean
  maxRecipients?: number
  maxConnections?: number
  maxConnectionsPerHost?: number
  messageBurst?: number
  messagesPerHour?: number
}

/** A setting's kind: what it must be, said the way an error message says it. */
interface SettingKind {
  must: string
  accepts(value: unknown): boolean
  /** Turns a flag's text into the value (numbers are parsed; the result is checked with `accepts`). */
  fromFlag(text: string): unknown
  path?: true
}

const text: SettingKind = {
  must: 'a non-empty string',
  accepts: (v) => typeof v === 'string' && v.length > 0 && v.length <= 2048,
  fromFlag: (t) => t,
}
const file: SettingKind = { ...text, must: 'a file path', path: true }
const integer = (min: number, max: number, must: string): SettingKind => ({
  must,
  accepts: (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
  fromFlag: (t) => (/^\s*$/.test(t) ? NaN : Number(t)),
})
const flag: SettingKind = {
  must: 'true or false',
  accepts: (v) => typeof v === 'boolean',
  fromFlag: (t) => (t === 'true' ? true : t === 'false' ? false : t),
}
const port = (min: number) => integer(min, 65535, `an integer port ${min}-65535`)
// Limits far beyond any sensible setting, so a typo (an extra 0 or three) is caught.
const count = integer(1, 1_000_000, 'an integer from 1 to 1000000')

const KINDS: Record<keyof BridgeSettings, SettingKind> = {
  domain: text,
  smtpHost: text,
  smtpPort: port(0),
  maxSize: {
    must: 'a number of megabytes, above 0 and at most 50',
    accepts: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 50,
    fromFlag: (t) => (/^\s*$/.test(t) ? NaN : Number(t)),
  },
  smarthost: text,
  dkimSelector: text,
  dkimKey: file,
  tlsKey: file,
  tlsCert: file,
  mxPort: port(1),
  allowPrivateMx: flag,
  maxRecipients: count,
  maxConnections: count,
  maxConnectionsPerHost: count,
  messageBurst: count,
  messagesPerHour: count,
}

/** Every key a configuration file may hold. */
export const BRIDGE_SETTING_KEYS = Object.keys(KINDS) as (keyof BridgeSettings)[]

// A configuration file is a few hundred bytes; anything near this is not one.
const MAX_CONFIG_BYTES = 64 * 1024

/**
 * Checks a configuration file's text strictly: a JSON object with only known keys, each of the right
 * kind. Errors name `source` (the file) and the key. Relative paths are resolved against `baseDir`.
 */
export function parseBridgeConfig(json: string, source: string, baseDir: string): BridgeSettings {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (err) {
    throw configError(source, `not valid JSON (${(err as Error).message})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw configError(source, 'must hold one JSON object, { "domain": … }')
  const settings: BridgeSettings & Record<string, unknown> = {}
  for (const [key, value] of Object.entries(parsed)) {
    const kind = (KINDS as Record<string, SettingKind | undefined>)[key]
    if (!Object.hasOwn(KINDS, key) || !kind)
      throw configError(
        source,
        `unknown key ${JSON.stringify(key)} (known: ${BRIDGE_SETTING_KEYS.join(', ')})`,
      )
    if (!kind.accepts(value))
      throw configError(source, `${JSON.stringify(key)} must be ${kind.must}`)
    settings[key] = kind.path ? resolve(baseDir, value as string) : value
  }
  return settings
}

/** Reads and checks configuration file `path` (see `parseBridgeConfig`). */
export async function readBridgeConfig(path: string): Promise<BridgeSettings> {
  let json: string
  try {
    if ((await stat(path)).size > MAX_CONFIG_BYTES)
      throw new Error(`larger than ${MAX_CONFIG_BYTES} bytes`)
    json = await readFile(path, 'utf8')
  } catch (err) {
    throw configError(path, `cannot read the file (${(err as Error).message})`)
  }
  return parseBridgeConfig(json, path, dirname(resolve(path)))
}

/**
 * A flag's value as a setting, checked like the same key in a file; `flag` names it in the error
 * (`--smtp-port must be an integer port 0-65535`).
 */
export function settingFromFlag<K extends keyof BridgeSettings>(
  key: K,
  value: string,
  flag: string,
): BridgeSettings[K] {
  const kind = KINDS[key]
  const parsed = kind.fromFlag(value)
  if (!kind.accepts(parsed)) throw BridgeError.INVALID_OPTIONS(`${flag} must be ${kind.must}`)
  return parsed as BridgeSettings[K]
}

function configError(source: string, what: string): BridgeError {
  return BridgeError.INVALID_OPTIONS(`${source}: ${what}`)
}
