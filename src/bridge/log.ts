/** How much a log line matters to whoever runs the bridge. */
export type LogLevel = 'info' | 'warn' | 'error'

/** One log line, as `peermail bridge` writes it to stderr (one JSON object a line). */
export interface LogRecord {
  time: string
  level: LogLevel
  event: string
  fields: Record<string, string | number | boolean | null>
}

// Events that mean something went wrong; anything else is routine.
const ERRORS = /-failed$/
const WARNINGS = /(?:-deferred|-refused|-dropped|-error)$/
// Long enough for an error message or a remote server's reply, short enough to bound every line.
const MAX_STRING = 300

/** The level of bridge event `event`, by its name: `*-failed` errors, `*-deferred`/`*-refused`… warnings. */
export function levelOf(event: string): LogLevel {
  if (ERRORS.test(event)) return 'error'
  if (WARNINGS.test(event)) return 'warn'
  return 'info'
}

/**
 * One event as a log record. Fields keep only numbers, booleans and short one-line strings, so a line
 * is always one bounded line; what may be logged at all (envelope data, counts, error messages, never
 * message contents) is up to the callers, and test/integration/bridge/logs.test.ts holds them to it.
 */
export function logRecord(event: string, detail: Record<string, unknown>, now: Date): LogRecord {
  const fields: LogRecord['fields'] = {}
  for (const [key, value] of Object.entries(detail)) {
    if (typeof value === 'number' || typeof value === 'boolean' || value === null)
      fields[key] = value
    else if (typeof value === 'string') fields[key] = bounded(value)
    else if (value !== undefined) fields[key] = bounded(describe(value))
  }
  return { time: now.toISOString(), level: levelOf(event), event: bounded(event), fields }
}

/** A bridge `log` option that writes each event as one JSON line to `write` (stderr in the CLI). */
export function jsonLog(
  write: (line: string) => void,
  now: () => Date = () => new Date(),
): (event: string, detail: Record<string, unknown>) => void {
  return (event, detail) => {
    write(`${JSON.stringify(logRecord(event, detail, now()))}\n`)
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message
  if (typeof value === 'bigint') return value.toString()
  // JSON.stringify has no text for these (and throws on bigint).
  if (typeof value === 'function' || typeof value === 'symbol') return typeof value
  try {
    return JSON.stringify(value)
  } catch {
    return typeof value
  }
}

function bounded(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ')
  return line.length > MAX_STRING ? `${line.slice(0, MAX_STRING)}…` : line
}
