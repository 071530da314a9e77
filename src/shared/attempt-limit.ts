/**
 * A sliding-window limit on attempts: at most `max` in any `windowMs`. The recovery-phrase call counts
 * every passphrase guess with it (Argon2id already makes a guess slow; this caps guesses from a page that
 * got hold of the token at a handful a minute, right or wrong); local SMTP submission counts failed
 * logins only, recording one with {@link AttemptLimit.record} after checking {@link AttemptLimit.waitMs}.
 */
export interface AttemptLimitOptions {
  max: number
  windowMs: number
  /** Injected for tests; default Date.now. */
  now?: () => number
}

export class AttemptLimit {
  private readonly attempts: number[] = []
  private readonly now: () => number

  constructor(private readonly options: AttemptLimitOptions) {
    this.now = options.now ?? Date.now
  }

  /**
   * Records an attempt and answers 0 when it may go ahead, else how long (ms) until one may. A refused
   * attempt is not recorded, so waiting out the window always works.
   */
  take(): number {
    const wait = this.waitMs()
    if (wait === 0) this.record()
    return wait
  }

  /** 0 when fewer than `max` attempts fall in the window now, else how long (ms) until one leaves it. */
  waitMs(): number {
    const now = this.now()
    while (this.attempts.length > 0 && (this.attempts[0] as number) <= now - this.options.windowMs)
      this.attempts.shift()
    if (this.attempts.length < this.options.max) return 0
    return (this.attempts[0] as number) + this.options.windowMs - now
  }

  /** Counts an attempt made now. */
  record(): void {
    this.attempts.push(this.now())
  }
}
