/**
 * A tiny header scanner for messages mailparser could not handle. It runs on the main thread on hostile
 * input, so everything is bounded: it reads at most {@link MAX_SCANNED_HEADER_BYTES}, keeps the first
 * occurrence of the few headers it knows, caps each value, and makes one pass over the lines.
 */
export const MAX_SCANNED_HEADER_BYTES = 64 * 1024
const MAX_VALUE_LENGTH = 16 * 1024

/** The headers the fallback recovers, by lower-case name. */
export const SCANNED_HEADERS = [
  'subject',
  'from',
  'to',
  'cc',
  'reply-to',
  'date',
  'message-id',
  'in-reply-to',
  'references',
] as const

export type ScannedHeader = (typeof SCANNED_HEADERS)[number]

const WANTED: ReadonlySet<string> = new Set(SCANNED_HEADERS)

/**
 * Unfolded values (RFC 5322 §2.2.3) of the first occurrence of each scanned header, still raw (encoded
 * words are not decoded). Accepts CRLF, bare LF and bare CR line ends; skips lines that are not
 * `name: value` (garbage, an mbox `From ` line) instead of giving up; stops at the first empty line.
 */
export function scanHeaders(raw: Uint8Array): Map<ScannedHeader, string> {
  const head = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
    .subarray(0, MAX_SCANNED_HEADER_BYTES)
    .toString('utf8')
  const found = new Map<ScannedHeader, string>()
  let current: ScannedHeader | undefined
  for (const line of head.split(/\r\n|\n|\r/)) {
    if (line === '') break
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current !== undefined) append(found, current, line)
      continue
    }
    current = undefined
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    if (!WANTED.has(name) || found.has(name as ScannedHeader)) continue
    current = name as ScannedHeader
    found.set(current, line.slice(colon + 1, colon + 1 + MAX_VALUE_LENGTH))
  }
  for (const [name, value] of found) found.set(name, value.trim())
  return found
}

function append(found: Map<ScannedHeader, string>, name: ScannedHeader, line: string): void {
  const value = found.get(name) ?? ''
  if (value.length < MAX_VALUE_LENGTH) {
    found.set(name, value + line.slice(0, MAX_VALUE_LENGTH - value.length))
  }
}
