/** The composition root: creating and opening an account node. The CLI, server and Electron use this. */
export * from './errors.js'
export {
  createAccount,
  hasAccount,
  openNode,
  readAddress,
  type AccountOptions,
  type PeermailNode,
} from './node.js'
export { decodeAddress, isAddress, safetyNumber } from '../crypto/index.js'
