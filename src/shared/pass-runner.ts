/**
 * Runs a pass of work when kicked, never two at once: a kick during a pass asks for one more pass after
 * it, so work that arrives mid-pass is never missed and a burst of kicks costs one extra pass, not many.
 */
export class PassRunner {
  private running: Promise<void> | null = null
  private again = false

  /**
   * @param pass one pass over whatever is there to do
   * @param stopped true once no more passes should start (the owner is closing)
   * @param onError hears a pass that failed; the next kick starts afresh
   */
  constructor(
    private readonly pass: () => Promise<void>,
    private readonly stopped: () => boolean,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts a pass, or asks for another one after the pass under way. */
  kick(): void {
    if (this.stopped()) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          await this.pass()
        } while (this.wantsAnother())
      } catch (err) {
        this.onError(err)
      } finally {
        this.running = null
      }
    })()
  }

  // A method, not the field, so TypeScript does not narrow `again` across the pass's await.
  private wantsAnother(): boolean {
    return this.again && !this.stopped()
  }

  /** Resolves when no pass is running (never rejects). */
  async idle(): Promise<void> {
    await this.running
  }
}
