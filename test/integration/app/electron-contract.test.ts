/**
 * The Electron preload is sandboxed, so it cannot import the API contract or the channel names: it repeats
 * them. This keeps the copies honest, and guards the shell's hardening flags against a careless edit.
 */
import { readFile } from 'node:fs/promises'
import { describe, expect, test } from 'vitest'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../../src/app/electron/channels.js'
import { API_CALLS } from '../../../src/app/ipc/api.js'

const source = (name: string) =>
  readFile(new URL(`../../../src/app/electron/${name}`, import.meta.url), 'utf8')

describe('Electron shell contract', () => {
  test("the preload's allowlist is exactly the API's calls, on the same channels", async () => {
    const preload = await source('preload.cts')
    const list = /const CALLS = new Set\(\[([^\]]*)\]\)/.exec(preload)?.[1] ?? ''
    const names = [...list.matchAll(/'([A-Za-z]+)'/g)].map((m) => m[1])
    expect(names).toEqual([...API_CALLS])
    expect(preload).toContain(`const CALL_CHANNEL = '${CALL_CHANNEL}'`)
    expect(preload).toContain(`const EVENT_CHANNEL = '${EVENT_CHANNEL}'`)
    // Only the two bridge functions leave the preload; no Electron or Node object does.
    expect([...preload.matchAll(/exposeInMainWorld\(/g)]).toHaveLength(1)
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/)
  })

  test('the window is isolated, sandboxed and without Node; navigation and popups are refused', async () => {
    const main = await source('main.ts')
    expect(main).toMatch(/contextIsolation: true/)
    expect(main).toMatch(/sandbox: true/)
    expect(main).toMatch(/nodeIntegration: false/)
    expect(main).toMatch(/webviewTag: false/)
    expect(main).toMatch(/'will-navigate'[\s\S]*preventDefault/)
    expect(main).toMatch(/setWindowOpenHandler[\s\S]*action: 'deny'/)
    expect(main).toMatch(/trustedSender\(event, window\)/)
    expect(main).not.toMatch(/recoveryPhrase|identityKey|secretKey/)
  })
})
