/**
 * The Peermail library. For now the crypto core; the mailbox, delivery and bridge APIs join it as they land.
 */
export * from './crypto/index.js'
export { PeermailError, isPeermailError } from './shared/errors.js'
export type { Result } from './shared/result.js'
