/**
 * The Electron preload: sandboxed, context-isolated, the only bridge between the untrusted renderer and
 * the main process. It exposes exactly two functions as `window.peermail`: `call(name, body)` for the
 * allowlisted API calls and `onEvent(listener)` for pushed events. No Electron object, no ipcRenderer and
 * no Node API crosses the bridge; the main process checks every message again (sender, name, input).
 * A sandboxed preload cannot import local modules, so the channel names and the allowlist are repeated
 * here; test/integration/app/electron-contract.test.ts keeps them equal to the real ones.
 */
import type { IpcRendererEvent } from 'electron'
// A sandboxed preload runs as a CommonJS script with Electron's own require: no ES module imports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron')

const { contextBridge, ipcRenderer } = electron

const CALL_CHANNEL = 'peermail:call'
const EVENT_CHANNEL = 'peermail:event'
const CALLS = new Set([
  'whoami',
  'connectivity',
  'counts',
  'listMessages',
  'readMessage',
  'attachment',
  'search',
  'send',
  'status',
  'move',
  'flag',
  'trash',
  'contacts',
  'acceptRequest',
  'block',
  'folders',
  'createFolder',
  'thread',
  'saveDraft',
  'deleteDraft',
  'addContact',
  'verifyContact',
  'relays',
  'addRelay',
  'removeRelay',
  'aliases',
  'addAlias',
  'removeAlias',
  'recoveryPhrase',
  'smtpSubmission',
  'renewSmtpPassword',
  'revokeSmtpPassword',
  'remoteContent',
  'setRemoteContent',
])

contextBridge.exposeInMainWorld('peermail', {
  call(name: unknown, body: unknown): Promise<unknown> {
    if (typeof name !== 'string' || !CALLS.has(name))
      return Promise.resolve({
        ok: false,
        error: { code: 'API_UNKNOWN_CALL', message: 'No such call' },
      })
    return ipcRenderer.invoke(CALL_CHANNEL, name, body) as Promise<unknown>
  },
  onEvent(listener: unknown): () => void {
    if (typeof listener !== 'function') return () => {}
    const forward = (_event: IpcRendererEvent, payload: unknown) => {
      ;(listener as (payload: unknown) => void)(payload)
    }
    ipcRenderer.on(EVENT_CHANNEL, forward)
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, forward)
    }
  },
})
