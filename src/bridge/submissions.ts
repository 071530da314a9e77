import { encodeAddress } from '../crypto/index.js'
import type { Mailbox, MessageSummary } from '../mailbox/index.js'
import { peerIdentityOf } from '../sync/index.js'
import type { AliasRegistry } from './alias-registry.js'
import { composeBounce } from './bounce.js'
import type { InboundDelivery } from './inbound-delivery.js'
import type { OutboundQueue } from './outbound-queue.js'
import { parseSubmission, singleFrom, type Submission } from './submission.js'

export interface SubmissionIntakeComponents {
  mailbox: Mailbox
  registry: AliasRegistry
  queue: OutboundQueue
  delivery: InboundDelivery
  domain: string
  log?: (event: string, detail: Record<string, unknown>) => void
}

/** Folders where mail to the bridge lands (contacts → inbox, strangers → requests). */
const FOLDERS = ['inbox', 'requests']

/**
 * Takes submissions out of the bridge's own mailbox and queues them — or refuses them, which is what
 * keeps the bridge from being an open relay: the sender (proved by its pair log's signatures) must hold
 * an alias here, and the mail's one From address must be one of *its* aliases. Anything else is deleted
 * unsent; a registered account that tried a From it does not hold is told so in a bounce.
 */
export class SubmissionIntake {
  private readonly inProgress = new Set<string>()
  private readonly log: (event: string, detail: Record<string, unknown>) => void

  constructor(private readonly components: SubmissionIntakeComponents) {
    this.log = components.log ?? (() => {})
  }

  /** Processes everything already in the mailbox (on start: what arrived before a restart). */
  async scan(): Promise<void> {
    for (const folder of FOLDERS) {
      let cursor: string | undefined
      do {
        const page = await this.components.mailbox.list({
          folder,
          limit: 500,
          ...(cursor ? { cursor } : {}),
        })
        for (const item of page.items) await this.process(item)
        cursor = page.next
      } while (cursor)
    }
  }

  /** New mail in the bridge's mailbox (the sync engine's `mail` event). */
  async onMail(summaries: MessageSummary[]): Promise<void> {
    for (const summary of summaries) await this.process(summary)
  }

  private async process(summary: MessageSummary): Promise<void> {
    const { mailbox, registry, queue } = this.components
    if (this.inProgress.has(summary.id) || (await queue.has(summary.id))) return
    this.inProgress.add(summary.id)
    try {
      const account = summary.peer ? peerIdentityOf(summary.peer) : undefined
      if (!account || !registry.holdsAny(account)) {
        this.log('submission-refused', { reason: 'not-registered' })
        await mailbox.deleteForever(summary.id)
        return
      }
      let submission
      try {
        submission = parseSubmission(await mailbox.read(summary.id), await mailbox.raw(summary.id))
      } catch {
        this.log('submission-refused', { reason: 'malformed' })
        await mailbox.deleteForever(summary.id)
        return
      }
      const from = singleFrom(submission.raw)
      const owner = from === undefined ? undefined : registry.lookup(from)
      if (from === undefined || !owner?.equals(account)) {
        this.log('submission-refused', { reason: 'from-not-owned' })
        await this.refuseSpoof(account, submission)
        await mailbox.deleteForever(summary.id)
        return
      }
      await queue.add(summary.id, {
        account: account.toString('hex'),
        alias: from,
        pending: submission.recipients,
        ...(submission.envid ? { envid: submission.envid } : {}),
      })
    } finally {
      this.inProgress.delete(summary.id)
    }
  }

  // Tells the account its mail left nobody: it names a From that is not its alias here.
  private async refuseSpoof(account: Buffer, submission: Submission): Promise<void> {
    const alias = someAliasOf(this.components.registry, account)
    if (!alias) return
    const reason = `refused by the bridge: the From address is not an alias of ${encodeAddress(account)}`
    const bounce = await composeBounce(
      this.components.domain,
      alias,
      submission.raw,
      submission.recipients.map((recipient) => ({ recipient, reason })),
      submission.envid,
    )
    await this.components.delivery.deliver(bounce, [account]).catch((err: unknown) => {
      this.log('bounce-failed', { message: String(err) })
    })
  }
}

// Some alias of the account's, to address a bounce to.
function someAliasOf(registry: AliasRegistry, account: Buffer): string | undefined {
  return registry.list().find((a) => a.account.equals(account))?.alias
}
