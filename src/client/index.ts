/** The composition root: creating and opening an account node. The CLI, server and Electron use this. */
export * from './errors.js'
export {
  createAccount,
  hasAccount,
  openNode,
  readAddress,
  type AccountOptions,
  type PeermailNode,
  type NetworkOptions,
} from './node.js'
export {
  Account,
  openAccount,
  type AccountEvents,
  type AccountMailbox,
  type OpenAccountOptions,
} from './account.js'
export type { SendInput } from './compose-outgoing.js'
export { createLocalNetwork, type LocalNetwork, type BootstrapNode } from '../sync/index.js'
export { decodeAddress, isAddress, safetyNumber } from '../crypto/index.js'
