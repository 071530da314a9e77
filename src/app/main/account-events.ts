import type { Account, DeliveryEvent, MessageSummary } from '../../client/index.js'
import type { ApiEvent } from '../ipc/api.js'
import { toSummary } from './wire.js'

/**
 * Forwards an account's events as API events (copied field by field, as wire.ts does), for whichever
 * transport pushes them: the server's WebSocket or Electron's IPC. Returns the unsubscribe.
 */
export function forwardAccountEvents(
  account: Account,
  publish: (event: ApiEvent) => void,
): () => void {
  const onMail = (summary: MessageSummary) => {
    publish({ type: 'mail', summary: toSummary(summary) })
  }
  const onDelivery = (update: DeliveryEvent) => {
    publish({
      type: 'delivery',
      update: { id: update.id, recipient: update.recipient, state: update.state },
    })
  }
  const onRelay = (status: { relay: string; quotaBytes: number; usedBytes: number }) => {
    publish({
      type: 'relay',
      status: { relay: status.relay, quotaBytes: status.quotaBytes, usedBytes: status.usedBytes },
    })
  }
  account.on('mail', onMail)
  account.on('delivery', onDelivery)
  account.on('relay', onRelay)
  return () => {
    account.off('mail', onMail)
    account.off('delivery', onDelivery)
    account.off('relay', onRelay)
  }
}
