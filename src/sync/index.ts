/** Peer-to-peer delivery: swarm identity, the peermail/1 channel, pair logs, receipts, first contact. */
export * from './errors.js'
export {
  SyncEngine,
  type CarrierMailHook,
  type SyncComponents,
  type SyncOptions,
  type SyncEvents,
} from './engine.js'
export type { DeliveryEvent } from './outbox.js'
export { outgoingSummary, type OutgoingSummary } from './outgoing-summary.js'
export {
  createLocalNetwork,
  createSwarm,
  parseBootstrap,
  type BootstrapNode,
  type LocalNetwork,
  type SwarmOptions,
} from './network.js'
export {
  PEER_MAIL_DOMAIN,
  peerIdentityOf,
  peerMailAddress,
  requirePeerIdentity,
} from './peer-address.js'
export { PrekeyStore, DEFAULT_PREKEY_POLICY, type PrekeyPolicy } from './prekeys.js'
export { RelayServer, type RelayComponents, type RelayOptions } from './relay-server.js'
