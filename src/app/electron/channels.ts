/**
 * The IPC channel names shared by the Electron main process and its preload. The preload is sandboxed and
 * cannot import local modules, so it repeats these strings; test/integration/app/electron-contract.test.ts
 * checks that the two agree (and that its call allowlist is the API's).
 */
export const CALL_CHANNEL = 'peermail:call'
export const EVENT_CHANNEL = 'peermail:event'
/** The scheme the UI is served under in Electron (a standard, secure, non-network origin). */
export const APP_SCHEME = 'peermail-app'
export const APP_ORIGIN = `${APP_SCHEME}://ui`
