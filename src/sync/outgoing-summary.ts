import { encodeAddress } from '../crypto/index.js'
import type { Mailbox } from '../mailbox/index.js'
import { segmentAfter, stateNames } from './state-names.js'

/** What is still on its way out, read from the delivery state: no network needed. */
export interface OutgoingSummary {
  /** Mails not yet acknowledged by every recipient (queued, or in our log and awaiting a receipt). */
  waiting: number
  /** The recipients they wait for, `pm1…` addresses. */
  recipients: string[]
}

/**
 * Counts what waits to be delivered: mails queued for a peer and not yet sealed into our log to them,
 * and mails sealed but not yet acknowledged. A mail to several recipients counts once.
 */
export async function outgoingSummary(mailbox: Mailbox): Promise<OutgoingSummary> {
  const ids = new Set<string>()
  const peers = new Set<string>()
  for (const { name } of await mailbox.state.list(stateNames.queuedAll)) {
    const peer = segmentAfter(name, stateNames.queuedAll)
    peers.add(peer)
    ids.add(name.slice(stateNames.queuedPrefix(peer).length))
  }
  const peerOfLog = new Map<string, string>()
  for (const { name, value } of await mailbox.state.list(stateNames.outLogAll))
    peerOfLog.set((value as { key: string }).key, segmentAfter(name, stateNames.outLogAll))
  for (const { name, value } of await mailbox.state.list(stateNames.sentAll)) {
    const peer = peerOfLog.get(segmentAfter(name, stateNames.sentAll))
    if (peer) peers.add(peer)
    const id = (value as { id?: unknown } | null)?.id
    ids.add(typeof id === 'string' ? id : name)
  }
  return {
    waiting: ids.size,
    recipients: [...peers].map((peer) => encodeAddress(Buffer.from(peer, 'hex'))).sort(),
  }
}
