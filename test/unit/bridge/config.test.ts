import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BRIDGE_SETTING_KEYS,
  parseBridgeConfig,
  readBridgeConfig,
  settingFromFlag,
} from '../../../src/bridge/config.js'

const FILE = '/etc/peermail/bridge.json'

function parse(value: unknown): ReturnType<typeof parseBridgeConfig> {
  return parseBridgeConfig(JSON.stringify(value), FILE, '/etc/peermail')
}

/** The error `run` throws: always BRIDGE_INVALID_OPTIONS, naming the file. */
function failure(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    expect(err).toMatchObject({ code: 'BRIDGE_INVALID_OPTIONS' })
    const message = (err as Error).message
    expect(message).toContain(FILE)
    return message
  }
  throw new Error('expected an error')
}

describe('bridge configuration file', () => {
  it('takes every documented key, resolving file paths against the file’s directory', () => {
    const settings = parse({
      domain: 'example.org',
      smtpHost: '0.0.0.0',
      smtpPort: 25,
      maxSize: 10.5,
      smarthost: 'smtp://relay.example.net:587',
      dkimSelector: 'pm',
      dkimKey: 'dkim.pem',
      tlsKey: '/etc/ssl/private/mx.key',
      tlsCert: '../certs/mx.pem',
      mxPort: 2525,
      allowPrivateMx: true,
      maxRecipients: 50,
      maxConnections: 200,
      maxConnectionsPerHost: 5,
      messageBurst: 20,
      messagesPerHour: 100,
    })
    expect(Object.keys(settings).sort()).toEqual([...BRIDGE_SETTING_KEYS].sort())
    expect(settings.dkimKey).toBe('/etc/peermail/dkim.pem')
    expect(settings.tlsKey).toBe('/etc/ssl/private/mx.key')
    expect(settings.tlsCert).toBe('/etc/certs/mx.pem')
    expect(settings.smtpPort).toBe(25)
    expect(settings.maxSize).toBe(10.5)
    expect(parse({})).toEqual({})
  })

  it('refuses unknown keys, naming them', () => {
    expect(failure(() => parse({ domain: 'example.org', smtpPrt: 25 }))).toContain('"smtpPrt"')
    expect(failure(() => parse({ __proto__: 1, constructor: 2 }))).toMatch(/unknown key/)
    expect(failure(() => parse({ toString: 'x' }))).toContain('"toString"')
    expect(failure(() => parseBridgeConfig('{"__proto__": {"domain": "x"}}', FILE, '/'))).toContain(
      '"__proto__"',
    )
  })

  it('refuses wrong types and out-of-range values, naming the key', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ smtpPort: '25' }, '"smtpPort" must be an integer port 0-65535'],
      [{ smtpPort: 65536 }, '"smtpPort"'],
      [{ smtpPort: -1 }, '"smtpPort"'],
      [{ smtpPort: 2.5 }, '"smtpPort"'],
      [{ mxPort: 0 }, '"mxPort" must be an integer port 1-65535'],
      [{ allowPrivateMx: 'yes' }, '"allowPrivateMx" must be true or false'],
      [{ allowPrivateMx: 1 }, '"allowPrivateMx"'],
      [{ maxSize: 0 }, '"maxSize"'],
      [{ maxSize: 51 }, '"maxSize"'],
      [{ maxSize: '25' }, '"maxSize"'],
      [{ domain: 42 }, '"domain" must be a non-empty string'],
      [{ domain: '' }, '"domain"'],
      [{ dkimKey: null }, '"dkimKey" must be a file path'],
      [{ messagesPerHour: 0 }, '"messagesPerHour"'],
      [{ maxConnections: 1e9 }, '"maxConnections"'],
      [{ tlsCert: ['a'] }, '"tlsCert"'],
    ]
    for (const [value, expected] of cases) expect(failure(() => parse(value))).toContain(expected)
  })

  it('refuses what is not one JSON object', () => {
    for (const text of ['', '{', '[]', '"domain"', 'null', '{"domain": "a",}'])
      expect(failure(() => parseBridgeConfig(text, FILE, '/'))).toMatch(/JSON/)
  })
})

describe('readBridgeConfig', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pm-bridge-config-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reads a file, and names a file it cannot read', async () => {
    const path = join(dir, 'bridge.json')
    await writeFile(path, JSON.stringify({ domain: 'example.org', dkimKey: 'keys/dkim.pem' }))
    expect(await readBridgeConfig(path)).toEqual({
      domain: 'example.org',
      dkimKey: join(dir, 'keys/dkim.pem'),
    })
    const missing = join(dir, 'missing.json')
    await expect(readBridgeConfig(missing)).rejects.toThrow(
      expect.objectContaining({
        code: 'BRIDGE_INVALID_OPTIONS',
        message: expect.stringContaining(`${missing}: cannot read`) as unknown,
      }),
    )
    const huge = join(dir, 'huge.json')
    await writeFile(huge, `{"domain": "${'a'.repeat(100_000)}"}`)
    await expect(readBridgeConfig(huge)).rejects.toThrow(/larger than/)
  })
})

describe('settingFromFlag', () => {
  it('parses and checks a flag like the file’s key, naming the flag', () => {
    expect(settingFromFlag('smtpPort', '2525', '--smtp-port')).toBe(2525)
    expect(settingFromFlag('maxSize', '0.5', '--max-size')).toBe(0.5)
    expect(settingFromFlag('domain', 'example.org', '--domain')).toBe('example.org')
    expect(settingFromFlag('allowPrivateMx', 'true', '--allow-private-mx')).toBe(true)
    for (const [key, value, flag] of [
      ['smtpPort', 'x', '--smtp-port'],
      ['smtpPort', '', '--smtp-port'],
      ['mxPort', '0', '--mx-port'],
      ['maxSize', '60', '--max-size'],
      ['messageBurst', '1.5', '--message-burst'],
    ] as const)
      expect(() => settingFromFlag(key, value, flag)).toThrow(new RegExp(`${flag} must be`))
  })
})
