import { SingleBar } from 'cli-progress'

/**
 * A progress bar on stderr (cli-progress), drawn only when stderr is a terminal and the job is big
 * enough to be worth one, so scripts and `--json` consumers never see escape codes. Totals may arrive
 * late (an import learns its file sizes as it goes) or change; `detail` is free text after the bar.
 */
export class ProgressBar {
  private bar: SingleBar | null = null

  /**
   * @param worthABar below this total the job is over before a bar would say anything (20 messages,
   *   a few hundred KB): no bar.
   */
  constructor(
    private readonly label: string,
    private readonly worthABar: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Moves the bar to `value` of `total`; starts it the first time the job is seen to be big. */
  update(value: number, total: number, detail = ''): void {
    if (!this.stream.isTTY) return
    if (!this.bar) {
      if (total < this.worthABar) return
      this.bar = new SingleBar({
        stream: this.stream,
        format: `${this.label} [{bar}] {percentage}% {detail}`,
        barsize: 30,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      })
      this.bar.start(total, value, { detail })
      return
    }
    this.bar.setTotal(total)
    this.bar.update(value, { detail })
  }

  /** Removes the bar (it is cleared, so the command's own output follows on a clean line). */
  stop(): void {
    this.bar?.stop()
    this.bar = null
  }
}
