import type { ApiMessageSummary } from '../../ipc/api.js'
import { bareAddress } from './format.js'

const PEER_ADDRESS = /^pm1[a-z0-9]+$/

/**
 * Whose allow-list entry decides remote content in `message`: the proven peer when the From header names
 * it; the From address for ordinary mail (bridged, imported); undefined when the From claims a Peermail
 * address the transport did not prove (a spoof must not borrow a real contact's permission).
 */
export function remoteContentSender(message: ApiMessageSummary): string | undefined {
  const from = message.from[0]?.address
  if (from === undefined || from.trim() === '') return undefined
  const bare = bareAddress(from)
  if (PEER_ADDRESS.test(bare)) return bare === message.peer ? bare : undefined
  return bare
}
