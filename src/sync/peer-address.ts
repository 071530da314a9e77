import { decodeAddress, encodeAddress, isAddress } from '../crypto/index.js'
import { SyncError } from './errors.js'

/**
 * The mail domain of Peermail addresses inside RFC 5322 headers: `pm1…@peermail.invalid`. `.invalid` is
 * reserved (RFC 2606), so a peer address that leaks to an ordinary mail server can never be routed.
 */
export const PEER_MAIL_DOMAIN = 'peermail.invalid'

/** The header form of an identity key: `pm1…@peermail.invalid`. */
export function peerMailAddress(identityPublicKey: Uint8Array): string {
  return `${encodeAddress(identityPublicKey)}@${PEER_MAIL_DOMAIN}`
}

/**
 * The identity key a recipient names, from `pm1…` or `pm1…@peermail.invalid` (any case of the domain),
 * or undefined when the text is not a Peermail address (an ordinary address, say).
 */
export function peerIdentityOf(text: string): Buffer | undefined {
  const trimmed = text.trim()
  const at = trimmed.lastIndexOf('@')
  const local = at === -1 ? trimmed : trimmed.slice(0, at)
  if (at !== -1 && trimmed.slice(at + 1).toLowerCase() !== PEER_MAIL_DOMAIN) return undefined
  const address = local.toLowerCase()
  return isAddress(address) ? decodeAddress(address) : undefined
}

/** Like {@link peerIdentityOf} but throws NOT_A_PEER_ADDRESS. */
export function requirePeerIdentity(text: string): Buffer {
  const key = peerIdentityOf(text)
  if (!key) throw SyncError.NOT_A_PEER_ADDRESS(text)
  return key
}
