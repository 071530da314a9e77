import type { MessageSummary } from '../client/index.js'

/** Prints a value as JSON (for `--json`) or as lines of text. */
export function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text()}\n`)
}

/** A compact, one-line date for listings. */
export function shortDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ')
}

/** A progress line on stderr, redrawn in place, only when stderr is a terminal. */
export function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`)
}

/** Ends a progress line. */
export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K')
}

/** One message in a listing: unread mark, id, date, sender, subject. */
export function summaryLine(m: MessageSummary): string {
  const unread = m.flags.seen ? ' ' : '*'
  const from = m.from[0]?.name || m.from[0]?.address || m.peer || '?'
  return `${unread} ${m.id}  ${shortDate(m.date)}  ${from.slice(0, 24).padEnd(24)}  ${m.subject}`
}

/** An address list as a header shows it. */
export function addresses(list: { name: string; address: string }[]): string {
  return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ')
}
