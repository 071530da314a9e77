/**
 * Keys refused for a while after breaking a protocol (garbage, flooding, a bad signature), shared by the
 * account's engine and the relay. Expired entries are dropped whenever a new one is added, so the map
 * stays as small as the set of recent offenders.
 */
export class PenaltyBox {
  private readonly until = new Map<string, number>()

  constructor(
    private readonly durationMs: number,
    private readonly now: () => number,
  ) {}

  /** Refuses `key` (hex) for the next `durationMs`. */
  penalise(key: string): void {
    const now = this.now()
    for (const [other, until] of this.until) if (until <= now) this.until.delete(other)
    this.until.set(key, now + this.durationMs)
  }

  /** True while `key` is refused. */
  has(key: string): boolean {
    const until = this.until.get(key)
    return until !== undefined && until > this.now()
  }
}
