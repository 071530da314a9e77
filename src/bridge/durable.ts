/**
 * Coalesces flushes: a caller waits for a flush that *started after* it asked, and every caller that
 * asks while one runs shares the next one. Under a burst of inbound mail each message still gets a
 * flush that covers it, at the cost of about one flush per flush-time rather than one per message.
 */
export class DurableFlush {
  private running: Promise<void> | null = null
  private next: Promise<void> | null = null

  constructor(private readonly flush: () => Promise<void>) {}

  /** Resolves once everything written before this call is on disk. */
  request(): Promise<void> {
    if (!this.running) return this.start()
    // A flush is under way, and it may have begun before our write: join the one after it.
    this.next ??= this.running
      .catch(() => {})
      .then(() => {
        this.next = null
        return this.start()
      })
    return this.next
  }

  private start(): Promise<void> {
    const run = this.flush().finally(() => {
      if (this.running === run) this.running = null
    })
    this.running = run
    return run
  }
}
