/**
 * The Peermail library: open an account, send and receive mail peer to peer (README, "Library API"),
 * and the crypto core beneath it.
 */
export {
  Account,
  openAccount,
  createLocalNetwork,
  type AccountConnectivity,
  type AccountEvents,
  type AccountMailbox,
  type OpenAccountOptions,
  type SendInput,
  type LocalNetwork,
  type BootstrapNode,
} from './client/index.js'
export { openRelay, type OpenRelayOptions, type Relay } from './client/relay.js'
export { openBridge, type OpenBridgeOptions, type Bridge } from './client/bridge.js'
export {
  startLocalSubmission,
  type LocalSubmission,
  type LocalSubmissionOptions,
} from './client/local-submission.js'
export { renewSubmissionPassword, revokeSubmissionPassword } from './client/submission-password.js'
export type { MessageSummary, ReadMessage, DeliveryState, Flags } from './mailbox/index.js'
export * from './crypto/index.js'
export { PeermailError, isPeermailError } from './shared/errors.js'
export type { Result } from './shared/result.js'
