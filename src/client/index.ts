/** The composition root: creating and opening an account node. The CLI, server and Electron use this. */
export * from './errors.js'
export {
  createAccount,
  hasAccount,
  openNode,
  readAddress,
  revealRecoveryPhrase,
  verifyPassphrase,
  type AccountOptions,
  type PeermailNode,
  type NetworkOptions,
} from './node.js'
export {
  Account,
  openAccount,
  type AccountConnectivity,
  type AccountEvents,
  type AccountMailbox,
  type OpenAccountOptions,
} from './account.js'
export type { SendInput } from './compose-outgoing.js'
export type { AccountAlias } from '../bridge/account-aliases.js'
export { openRelay, type OpenRelayOptions, type Relay } from './relay.js'
export { openBridge, type OpenBridgeOptions, type Bridge } from './bridge.js'
export { readBridgeStatus, type BridgeStatus } from '../bridge/status.js'
export { readBridgeConfig, settingFromFlag, type BridgeSettings } from '../bridge/config.js'
export { jsonLog, type LogRecord } from '../bridge/log.js'
export { isAlive } from './home-lock.js'
export {
  addRelay,
  MAX_RELAYS,
  readSettings,
  removeRelay,
  setRemoteContent,
  canonicalSender,
  MAX_REMOTE_CONTENT_SENDERS,
  type AccountSettings,
} from './settings.js'
export { runDemo, type Demo, type DemoOptions, type DemoStep } from './demo.js'
export {
  startLocalSubmission,
  type LocalSubmission,
  type LocalSubmissionOptions,
} from './local-submission.js'
export {
  hasSubmissionPassword,
  renewSubmissionPassword,
  revokeSubmissionPassword,
} from './submission-password.js'
export {
  createLocalNetwork,
  parseBootstrap,
  peerIdentityOf,
  requirePeerIdentity,
  PEER_MAIL_DOMAIN,
  type LocalNetwork,
  type BootstrapNode,
  type DeliveryEvent,
  outgoingSummary,
  type OutgoingSummary,
} from '../sync/index.js'
export type {
  Contact,
  DeliveryState,
  Flags,
  MessageSummary,
  ReadMessage,
} from '../mailbox/index.js'
export { decodeAddress, identityNumber, isAddress, safetyNumber } from '../crypto/index.js'
