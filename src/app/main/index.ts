/** The app's main side: the local API over an account and the server that exposes it. */
export { createLocalApi, type LocalApi } from './api.js'
export { forwardAccountEvents } from './account-events.js'
export { defaultUiDir, loadUi, uiCsp, type UiFile } from './ui.js'
export { AppError } from './errors.js'
export {
  startLocalServer,
  BODY_LIMIT,
  SEND_BODY_LIMIT,
  type LocalServer,
  type LocalServerOptions,
} from './server.js'
