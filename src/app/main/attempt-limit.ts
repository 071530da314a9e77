/**
 * A sliding-window limit on attempts: at most `max` in any `windowMs`. Used for the recovery-phrase call,
 * where each attempt is a passphrase guess. Argon2id already makes a guess slow; this caps guesses from a
 * page that got hold of the token at a handful a minute, right or wrong, whoever asks.
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
    const now = this.now()
    while (this.attempts.length > 0 && (this.attempts[0] as number) <= now - this.options.windowMs)
      this.attempts.shift()
    if (this.attempts.length >= this.options.max)
      return (this.attempts[0] as number) + this.options.windowMs - now
    this.attempts.push(now)
    return 0
  }
}
