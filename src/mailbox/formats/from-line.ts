/**
 * The mbox From_ line: `From <envelope sender> <asctime date>`. It is metadata of the file, not part of the
 * message, so it is written from what the caller knows and only loosely checked on reading.
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Sender written when none is known, as MTAs and mail clients do. */
export const UNKNOWN_SENDER = 'MAILER-DAEMON'

/**
 * A From_ line without its line ending, e.g. `From alice@example.org Thu Jan  1 00:00:00 2026`.
 * The sender is reduced to printable ASCII without spaces (anything else becomes `_`) because readers split
 * the line on white space and a CR or LF would break the framing; the date is asctime in UTC, and an
 * absent or invalid date becomes the current time.
 */
export function formatFromLine(from: string | undefined, date: Date | undefined): string {
  const sender = (from ?? '').replace(/[^\x21-\x7e]/g, '_')
  const when = date !== undefined && !Number.isNaN(date.getTime()) ? date : new Date()
  return `From ${sender === '' ? UNKNOWN_SENDER : sender} ${asctime(when)}`
}

/** `Thu Jan  1 00:00:00 2026`: C's asctime() in UTC, the date format of From_ lines. */
export function asctime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  const day = String(date.getUTCDate()).padStart(2, ' ')
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  return `${DAYS[date.getUTCDay()] ?? ''} ${MONTHS[date.getUTCMonth()] ?? ''} ${day} ${time} ${date.getUTCFullYear()}`
}

/**
 * True when `line` looks like a From_ line some real writer produced: a sender token, then a weekday, month,
 * day and time (`From - Thu Jan 01 00:00:00 2026`, `From 1234@xxx Thu Jan 01 00:00:00 +0000 2026`).
 * Used only to find the first message after leading garbage, where any `From ` line would be too weak a
 * sign that the file is an mbox at all.
 */
export function isStrictFromLine(line: string): boolean {
  return /^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} +\d{1,2}:\d{2}/.test(
    line,
  )
}
