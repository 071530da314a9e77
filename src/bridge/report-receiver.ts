import type { DeliveryState, DeliveryUpdate, Mailbox, StateChange } from '../mailbox/index.js'
import { isPeermailError } from '../shared/errors.js'
import { randomBytes } from '../crypto/index.js'
import { parseDeliveryReport, type DeliveryReport } from './delivery-report.js'

/** What the account remembers of one submission, under `bridge/report/<envid>`, until it is settled. */
interface AwaitedReport {
  /** The Sent copy's id in the account's mailbox. */
  id: string
  /** The bridge it was submitted to (identity key, hex): the only one whose report counts. */
  bridge: string
  /** The envelope recipients submitted, as the bridge names them. */
  rcpt: string[]
}

const PREFIX = 'bridge/report/'
const FINAL = new Set<DeliveryState>(['delivered', 'failed'])

/**
 * The account's side of delivery reports (docs/protocol.md §16): each submission gets a random envelope
 * id, remembered with the Sent copy; a report in the log of the bridge it went to, naming that id,
 * moves the Sent copy's state for the recipients it names that the submission had. Everything else —
 * an unknown id, another bridge, a recipient the mail did not have — changes nothing. Applying a report
 * twice changes nothing either: states only move forward.
 */
export class DeliveryReports {
  /** Submissions whose Sent copy is being stored: a fast report waits for it instead of missing it. */
  private readonly storing = new Map<string, Promise<unknown>>()

  constructor(
    private readonly mailbox: Mailbox,
    /** Called with the states a report changed, after they are written. */
    private readonly onDelivery: (updates: DeliveryUpdate[]) => void,
  ) {}

  /** A fresh envelope id for a submission. */
  newEnvelopeId(): string {
    return randomBytes(16).toString('hex')
  }

  /** Reports naming `envid` wait until `stored` settles (call before submitting). */
  storingUntil(envid: string, stored: Promise<unknown>): void {
    const done = stored.then(
      () => {},
      () => {},
    )
    this.storing.set(envid, done)
    void done.then(() => this.storing.delete(envid))
  }

  /** The state entry to write in the batch that stores the Sent copy `id`. */
  remember(envid: string, id: string, bridge: Buffer, rcpt: string[]): StateChange {
    const value: AwaitedReport = { id, bridge: bridge.toString('hex'), rcpt }
    return { name: PREFIX + envid, value }
  }

  /**
   * Looks at a mail in a bridge's log (the sync engine's carrier hook): a report is applied, and true
   * says it was only that, a success report, so nothing is stored in the inbox. A report with failures
   * is the bounce the user should read: false, and it is stored as mail.
   */
  async receive(bridge: Buffer, raw: Buffer): Promise<boolean> {
    const report = parseDeliveryReport(raw)
    if (!report) return false
    const successOnly =
      report.recipients.length > 0 && report.recipients.every((r) => r.action === 'delivered')
    if (report.envid !== undefined) await this.apply(bridge, report.envid, report)
    return successOnly
  }

  private async apply(bridge: Buffer, envid: string, report: DeliveryReport): Promise<void> {
    await this.storing.get(envid)
    const awaited = checked(await this.mailbox.state.get(PREFIX + envid))
    if (!awaited || awaited.bridge !== bridge.toString('hex')) return
    const record = await this.mailbox.get(awaited.id).catch((err: unknown) => {
      if (isPeermailError(err, 'MESSAGE_NOT_FOUND')) return undefined
      throw err
    })
    const forget = { name: PREFIX + envid, value: null }
    // The Sent copy was deleted for good: nothing to show the state on.
    if (!record) return this.mailbox.commit({ state: [forget] })
    if (report.messageId !== undefined && report.messageId !== record.messageId) return
    const delivery = { ...(record.delivery ?? {}) }
    const submitted = new Set(awaited.rcpt.map((r) => r.toLowerCase()))
    const updates: DeliveryUpdate[] = []
    for (const { recipient, action } of report.recipients) {
      const key = recipient.toLowerCase()
      const current = delivery[key]
      if (!submitted.has(key) || current === undefined || FINAL.has(current)) continue
      delivery[key] = action
      updates.push({ id: awaited.id, recipient: key, state: action })
    }
    if (updates.length === 0) return
    const settled = [...submitted].every((r) => {
      const state = delivery[r]
      return state === undefined || FINAL.has(state)
    })
    await this.mailbox.commit({ deliveries: updates, state: settled ? [forget] : [] })
    this.onDelivery(updates)
  }
}

// The entry as written by `remember`; anything else (a damaged store) counts as no entry.
function checked(value: unknown): AwaitedReport | undefined {
  const v = value as Partial<AwaitedReport> | undefined
  if (
    typeof v?.id !== 'string' ||
    typeof v.bridge !== 'string' ||
    !Array.isArray(v.rcpt) ||
    !v.rcpt.every((r) => typeof r === 'string')
  )
    return undefined
  return v as AwaitedReport
}
