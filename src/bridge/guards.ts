import { TokenBucket } from '../sync/rate-limit.js'

/**
 * True when `data` holds a CR or LF that is not part of a CRLF pair. SMTP requires CRLF line endings
 * (RFC 5321 §2.3.8); bare ones are how SMTP smuggling hides a second message inside the first
 * (`\n.\n` ends DATA for some servers and not others), so the bridge refuses them outright rather than
 * passing on mail that another server may split differently.
 */
export function hasBareLineEnding(data: Buffer): boolean {
  let from = 0
  for (;;) {
    const lf = data.indexOf(0x0a, from)
    const cr = data.indexOf(0x0d, from)
    if (lf === -1 && cr === -1) return false
    if (cr === -1 || (lf !== -1 && lf < cr)) return true // LF with no CR before it
    if (data[cr + 1] !== 0x0a) return true // CR not followed by LF
    from = cr + 2
  }
}

/** Counts open connections per client address, so one host cannot take every slot. */
export class ConnectionLimiter {
  private total = 0
  private readonly perHost = new Map<string, number>()

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerHost: number,
  ) {}

  /** Takes a slot for `host`; false when over either limit (nothing is taken then). */
  open(host: string): boolean {
    const mine = this.perHost.get(host) ?? 0
    if (this.total >= this.maxTotal || mine >= this.maxPerHost) return false
    this.total++
    this.perHost.set(host, mine + 1)
    return true
  }

  close(host: string): void {
    const mine = this.perHost.get(host) ?? 0
    if (mine === 0) return
    this.total--
    if (mine === 1) this.perHost.delete(host)
    else this.perHost.set(host, mine - 1)
  }
}

/** Most keys remembered by one {@link RateLimiter}; the oldest are forgotten first. */
const MAX_KEYS = 10_000

/**
 * Messages per key (a client address, or an envelope sender), as token buckets: a burst of `burst`,
 * then `perHour`. Client addresses and senders get separate limiters, so a flood of made-up senders
 * pushes out only other senders, never a host's bucket.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>()

  constructor(
    private readonly burst: number,
    private readonly perHour: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one message from `key`'s bucket; false when it is empty. */
  take(key: string): boolean {
    let bucket = this.buckets.get(key)
    if (!bucket) {
      bucket = new TokenBucket(this.burst, this.perHour / 3600, this.now)
      this.buckets.set(key, bucket)
      if (this.buckets.size > MAX_KEYS) {
        const oldest = this.buckets.keys().next().value
        if (oldest !== undefined) this.buckets.delete(oldest)
      }
    }
    return bucket.take()
  }
}
