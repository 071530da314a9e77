import {
  ClientError,
  type Account,
  type DeliveryEvent,
  type DeliveryState,
  type SendInput,
} from '../client/index.js'
import { print, progress, progressDone } from './output.js'

type Status = Record<string, DeliveryState>

// States only move forward (queued → relayed → delivered); `failed` is final too.
const RANK: Record<DeliveryState, number> = { queued: 0, relayed: 1, failed: 2, delivered: 2 }
const FINAL = new Set<DeliveryState>(['delivered', 'failed'])

/**
 * Sends, then waits up to `waitSeconds` for every recipient to be delivered (a peer by its receipt, an
 * ordinary address by the bridge's delivery report: both arrive as `delivery` events), and reports each
 * one's state. A recipient still queued is not an error: the mail leaves the next time both are online. A
 * recipient who refused it (`failed`) is, so it ends with DELIVERY_FAILED after the report.
 */
export async function sendAndReport(
  account: Account,
  input: SendInput,
  options: {
    waitSeconds: number
    json: boolean
    stop: AbortSignal
  },
): Promise<void> {
  const { id } = await account.send(input)
  const status = await awaitDelivery(account, id, options.waitSeconds, options.stop)
  print(options.json, { id, status }, () => report(id, status))
  const failed = Object.keys(status).filter((r) => status[r] === 'failed')
  if (failed.length > 0) throw ClientError.DELIVERY_FAILED(failed)
}

/** Text for a sent mail's delivery state, one line per recipient. */
export function report(id: string, status: Status): string {
  const lines = [`Sent ${id}`]
  for (const [recipient, state] of Object.entries(status))
    lines.push(`  ${state.padEnd(9)}  ${recipient}`)
  if (Object.values(status).some((s) => s === 'queued' || s === 'relayed'))
    lines.push('queued: will be delivered the next time this account is online (peermail sync)')
  return lines.join('\n')
}

/** The delivery state of sent mail `id` once every recipient is final, or when time or the user says stop. */
async function awaitDelivery(
  account: Account,
  id: string,
  seconds: number,
  stop: AbortSignal,
): Promise<Status> {
  const status: Status = {}
  const merge = (recipient: string, state: DeliveryState) => {
    const before = status[recipient]
    if (before === undefined || RANK[state] > RANK[before]) status[recipient] = state
  }
  const settled = () => Object.values(status).every((s) => FINAL.has(s))
  const show = () => {
    const done = Object.values(status).filter((s) => FINAL.has(s)).length
    progress(`waiting for delivery: ${done}/${Object.keys(status).length}`)
  }
  let wake = () => {}
  const onAbort = () => {
    wake()
  }
  const onDelivery = (update: DeliveryEvent) => {
    if (update.id !== id) return
    merge(update.recipient, update.state)
    show()
    if (settled()) wake()
  }
  // Listen first, then read the stored state: a receipt landing in between is seen either way.
  account.on('delivery', onDelivery)
  stop.addEventListener('abort', onAbort)
  let timer: NodeJS.Timeout | undefined
  try {
    for (const [recipient, state] of Object.entries(await account.status(id)))
      merge(recipient, state)
    if (!settled() && seconds > 0 && !stop.aborted) {
      show()
      await new Promise<void>((resolve) => {
        wake = resolve
        timer = setTimeout(resolve, seconds * 1000)
      })
    }
  } finally {
    clearTimeout(timer)
    account.off('delivery', onDelivery)
    stop.removeEventListener('abort', onAbort)
    progressDone()
  }
  return status
}
