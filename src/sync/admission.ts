import { encodeAddress, stampMessageHash, verifyStamp } from '../crypto/index.js'
import { parseAddressList, scanHeaders, type Contact, type Mailbox } from '../mailbox/index.js'
import { peerMailAddress } from './peer-address.js'
import { TokenBucket } from './rate-limit.js'
import { RejectCode } from './wire.js'

export interface AdmissionOptions {
  /** Leading zero bits asked of strangers' stamps. */
  stampDifficulty: number
  /** Mail from one stranger admitted to Requests per hour (a burst of this many, then a steady rate). */
  requestsPerHour: number
  now: () => number
  /** Senders whose logs carry other people's mail (the account's own bridges): any From, no stamp. */
  carriesMail?: (sender: Buffer) => boolean
  /**
   * Shown each admitted mail of a carrier first; true when the layer above took it (a delivery report
   * it applied) and there is nothing to store.
   */
  takesCarrierMail?: (sender: Buffer, mail: Buffer) => Promise<boolean>
}

/** Where a received mail goes, or why it is refused. */
export type AdmissionDecision =
  /** `folder` null: a carrier's mail that the layer above took (nothing to store, the cursor moves on). */
  | { ok: true; folder: 'inbox' | 'requests' | null }
  | { ok: false; code: RejectCode }
  /** A stranger over their rate: try again in `retryMs`. */
  | { ok: false; code: 'later'; retryMs: number }

/**
 * Decides what happens to a mail that opened correctly: the From header must name the log's owner;
 * contacts go to the inbox; blocked senders are refused; strangers need a stamp of the asked difficulty,
 * are rate-limited, and land in Requests.
 */
export class Admission {
  private readonly buckets = new Map<string, TokenBucket>()

  constructor(
    private readonly mailbox: Mailbox,
    private readonly me: Buffer,
    private readonly options: AdmissionOptions,
  ) {}

  /** Leading zero bits asked of strangers' stamps. */
  get difficulty(): number {
    return this.options.stampDifficulty
  }

  /** True when `sender` is a contact who is not blocked (they need no stamp). */
  async knows(sender: Buffer): Promise<boolean> {
    if (this.carriesMail(sender)) return true
    const contact = await this.mailbox.contacts.get(encodeAddress(sender))
    return contact !== undefined && !contact.blocked
  }

  /**
   * Starts looking up the sender's contact record into `contacts` (the memo {@link decide} takes), so the
   * index read runs while the mail's blocks are still being read.
   */
  prefetch(sender: Buffer, contacts: Map<string, Promise<Contact | undefined>>): void {
    const address = encodeAddress(sender)
    if (contacts.has(address)) return
    const lookup = this.mailbox.contacts.get(address)
    lookup.catch(() => {}) // decide() awaits it and reports the failure
    contacts.set(address, lookup)
  }

  /**
   * `contacts` memoises the sender's contact record across the mails of one batch (they all come from
   * one sender, and the lookup is an index read per mail otherwise).
   */
  async decide(
    sender: Buffer,
    mail: Buffer,
    stamp: Buffer | undefined,
    contacts: Map<string, Promise<Contact | undefined>> = new Map(),
  ): Promise<AdmissionDecision> {
    const carrier = this.carriesMail(sender)
    if (!carrier && !fromMatches(mail, sender)) return { ok: false, code: RejectCode.FROM_MISMATCH }
    const address = encodeAddress(sender)
    let lookup = contacts.get(address)
    if (!lookup) contacts.set(address, (lookup = this.mailbox.contacts.get(address)))
    const contact = await lookup
    if (contact?.blocked) return { ok: false, code: RejectCode.REFUSED }
    if (carrier && (await this.options.takesCarrierMail?.(sender, mail)))
      return { ok: true, folder: null }
    if (contact || carrier) return { ok: true, folder: 'inbox' }
    if (!this.stampIsGood(sender, mail, stamp))
      return { ok: false, code: RejectCode.STAMP_REQUIRED }
    const bucket = this.bucketFor(sender.toString('hex'))
    if (!bucket.take()) return { ok: false, code: 'later', retryMs: bucket.waitMs() }
    return { ok: true, folder: 'requests' }
  }

  /** True for one of the account's bridges: its mail's From is the original, ordinary sender. */
  carriesMail(sender: Buffer): boolean {
    return this.options.carriesMail?.(sender) ?? false
  }

  private stampIsGood(sender: Buffer, mail: Buffer, stamp: Buffer | undefined): boolean {
    if (this.options.stampDifficulty === 0) return true
    if (!stamp) return false
    try {
      verifyStamp(
        stamp,
        { sender, recipient: this.me, messageHash: stampMessageHash(mail) },
        { difficulty: this.options.stampDifficulty, now: this.options.now() },
      )
      return true
    } catch {
      return false
    }
  }

  private bucketFor(sender: string): TokenBucket {
    let bucket = this.buckets.get(sender)
    if (!bucket) {
      const perHour = this.options.requestsPerHour
      bucket = new TokenBucket(perHour, perHour / 3600, this.options.now)
      this.buckets.set(sender, bucket)
    }
    return bucket
  }
}

// Exactly one From address, and it is the sender's own: nobody can put words in someone else's mouth.
function fromMatches(mail: Buffer, sender: Buffer): boolean {
  const from = scanHeaders(mail).get('from')
  if (from === undefined) return false
  try {
    const addresses = parseAddressList(from)
    return (
      addresses.length === 1 &&
      addresses[0]?.address.toLowerCase() === peerMailAddress(sender).toLowerCase()
    )
  } catch {
    return false
  }
}
