import { authenticate, type DNSResolver } from 'mailauth'
import { joinHeader, splitHeader, type HeaderSplit } from './header-fields.js'

export type { DNSResolver }

/** What the SMTP session knows about where a message came from. */
export interface Origin {
  /** The connecting client's address. */
  ip: string
  /** What it said in EHLO/HELO. */
  helo: string
  /** The envelope sender (MAIL FROM), empty for bounces. */
  sender: string
}

/**
 * Checks SPF, DKIM, DMARC and ARC with mailauth and returns the message with the results prepended as
 * `Received-SPF` and `Authentication-Results` (RFC 8601) headers under our name `mta`. Any
 * `Authentication-Results` already in the message that claim to be ours are removed first: only we may
 * speak for `mta`, and a reader trusts our header because of that. `resolver` answers DNS (tests pass
 * fixed records; by default the system resolver).
 */
export async function withAuthenticationResults(
  raw: Buffer,
  origin: Origin,
  mta: string,
  resolver?: DNSResolver,
): Promise<Buffer> {
  const split = splitHeader(raw)
  const cleaned = dropForgedResults(raw, split, mta)
  const result = await authenticate(bodyOnlyIfSigned(cleaned, split), {
    ip: origin.ip,
    helo: origin.helo,
    sender: origin.sender,
    mta,
    disableBimi: true,
    ...(resolver ? { resolver } : {}),
  })
  const headers = result.headers.replace(/\r?\n/g, '\r\n')
  return Buffer.concat([Buffer.from(headers, 'utf8'), cleaned])
}

// Only DKIM and ARC signatures read the body (for their body hashes). A message with neither is checked
// on its header block alone: every result is the same, and for a large message, walking the body is most
// of what mailauth costs (`npm run bench -- bridge`, 100 KB).
function bodyOnlyIfSigned(message: Buffer, split: HeaderSplit): Buffer {
  const signed = split.fields.some((f) => f.name === 'dkim-signature' || f.name.startsWith('arc-'))
  if (signed) return message
  // `split.body` (the blank line, then the body) ends `message` untouched, forged results dropped or not:
  // the header block is what comes before it, plus that blank line.
  return message.subarray(0, message.byteLength - split.body.byteLength + 2)
}

// Removes header fields `Authentication-Results: <mta>; …` (with their folded lines); the body is
// never touched.
function dropForgedResults(raw: Buffer, split: HeaderSplit, mta: string): Buffer {
  const ours = (text: string) =>
    text
      .slice(text.indexOf(':') + 1)
      .trim()
      .split(/[;\s]/)[0]
      ?.toLowerCase() === mta.toLowerCase()
  const kept = split.fields.filter((f) => f.name !== 'authentication-results' || !ours(f.text))
  if (kept.length === split.fields.length) return raw
  return joinHeader({ fields: kept, body: split.body })
}
