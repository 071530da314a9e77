/**
 * Group commit for sending: a send that arrives while a batch is being written waits for it and then
 * goes out with every other send that arrived meanwhile — one append per pair log and one mailbox batch
 * for all of them (the stack's cost is per write, not per byte). A send into an idle queue goes at once,
 * so batching adds no latency.
 */
export class SendQueue<Item> {
  private pending: { item: Item; resolve: (id: string) => void; reject: (err: unknown) => void }[] =
    []
  private running = false

  constructor(
    /** Writes a batch; returns, per item, its stored id or the error that refused it. */
    private readonly flush: (items: Item[]) => Promise<(string | Error)[]>,
    private readonly maxBatch = 128,
  ) {}

  submit(item: Item): Promise<string> {
    const done = new Promise<string>((resolve, reject) => {
      this.pending.push({ item, resolve, reject })
    })
    if (!this.running) void this.drain()
    return done
  }

  private async drain(): Promise<void> {
    this.running = true
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch)
        try {
          const results = await this.flush(batch.map((b) => b.item))
          for (const [i, entry] of batch.entries()) {
            const result = results[i]
            if (typeof result === 'string') entry.resolve(result)
            else entry.reject(result ?? new Error('the send batch returned no result'))
          }
        } catch (err) {
          for (const entry of batch) entry.reject(err)
        }
      }
    } finally {
      this.running = false
    }
  }
}
