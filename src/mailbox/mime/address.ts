import { MailboxError } from '../errors.js'
import type { MailAddress } from './types.js'

/**
 * Our own address checks, run before anything reaches nodemailer: its address parser has had advisories
 * (ReDoS, unbounded recursion, `a@good.com(x)evil.com` delivering to evil.com, CRLF in names). Every
 * check is a length bound first, then linear scans or regexes without ambiguous repetition.
 *
 * Only plain ASCII `dot-atom@domain` addresses pass: no quoted local parts, comments, domain literals,
 * or internationalized (SMTPUTF8 / IDN) addresses.
 */
export const MAX_ADDRESS_LENGTH = 254 // RFC 5321 §4.5.3.1.3: a path is 256 including the brackets
const MAX_LOCAL_LENGTH = 64 // RFC 5321 §4.5.3.1.1
const MAX_LABEL_LENGTH = 63 // RFC 1035 §2.3.4
export const MAX_NAME_LENGTH = 200
/** Bounds on user-typed lists, far above any real recipient list. */
export const MAX_ADDRESS_LIST_LENGTH = 64 * 1024
export const MAX_ADDRESS_LIST_ENTRIES = 1000

// atext (RFC 5322 §3.2.3) cannot contain '.', so each character has one way to match: linear.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
const DOT_ATOM = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`)
// The label length is checked first, so the bounded middle can backtrack at most 61 steps.
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/

/** Why `address` is not acceptable, or undefined when it is. Never throws; linear in the input. */
export function addressProblem(address: string): string | undefined {
  if (address.length === 0) return 'empty'
  if (address.length > MAX_ADDRESS_LENGTH) return `longer than ${MAX_ADDRESS_LENGTH} characters`
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i)
    if (c <= 0x20 || c === 0x7f) return 'contains whitespace or a control character'
    if (c > 0x7f) return 'contains non-ASCII characters (not supported)'
  }
  if (/[()]/.test(address)) return 'contains a comment (parentheses)'
  if (/["\\]/.test(address)) return 'contains quotes or a backslash'
  if (/[<>]/.test(address)) return 'contains an angle bracket'
  const at = address.indexOf('@')
  if (at < 0 || at !== address.lastIndexOf('@')) return 'must contain exactly one @'
  const local = address.slice(0, at)
  const domain = address.slice(at + 1)
  if (local.length === 0) return 'the part before @ is empty'
  if (local.length > MAX_LOCAL_LENGTH)
    return `the part before @ is over ${MAX_LOCAL_LENGTH} characters`
  if (!DOT_ATOM.test(local)) return 'the part before @ is not a dot-atom'
  const labels = domain.split('.')
  if (labels.length < 2) return 'the domain needs at least two labels'
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH || !LABEL.test(label))
      return 'the domain is not a host name'
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return 'the domain ends in a numeric label'
  return undefined
}

/**
 * Checks one address and returns a clean copy holding only `name` and `address`.
 *
 * @throws MailboxError ADDRESS_INVALID, naming the reason.
 */
export function validateMailAddress(addr: MailAddress): MailAddress {
  // Checked at run time too: addresses arrive from IPC and imported mail, not only typed callers.
  const candidate = addr as unknown
  if (typeof candidate !== 'object' || candidate === null) {
    throw MailboxError.ADDRESS_INVALID('', 'not an address object')
  }
  const { name, address } = candidate as { name?: unknown; address?: unknown }
  if (typeof address !== 'string') throw MailboxError.ADDRESS_INVALID('', 'no address given')
  const problem = addressProblem(address)
  if (problem !== undefined) throw MailboxError.ADDRESS_INVALID(address, problem)
  if (typeof name !== 'string') throw MailboxError.ADDRESS_INVALID(address, 'the name is not text')
  if (name.length > MAX_NAME_LENGTH) {
    throw MailboxError.ADDRESS_INVALID(address, `the name is over ${MAX_NAME_LENGTH} characters`)
  }
  // CR/LF in a display name is header injection; the other controls have no business there either.
  if (hasControlCharacter(name)) {
    throw MailboxError.ADDRESS_INVALID(
      address,
      'the name contains a line break or control character',
    )
  }
  return { name, address }
}

/**
 * Parses a typed recipient list such as `Alice <a@x.org>, "Doe, Bob" <b@y.org>; c@z.org` (commas or
 * semicolons between entries). One pass over the text; every entry is checked with
 * {@link validateMailAddress}.
 *
 * @throws MailboxError ADDRESS_INVALID for the first bad entry, or when the list exceeds its bounds.
 */
export function parseAddressList(text: string): MailAddress[] {
  if (typeof (text as unknown) !== 'string')
    throw MailboxError.ADDRESS_INVALID('', 'the list is not text')
  if (text.length > MAX_ADDRESS_LIST_LENGTH) {
    throw MailboxError.ADDRESS_INVALID(
      text,
      `the list is over ${MAX_ADDRESS_LIST_LENGTH} characters`,
    )
  }
  const entries = splitAddressList(text)
  if (entries.length > MAX_ADDRESS_LIST_ENTRIES) {
    throw MailboxError.ADDRESS_INVALID(text, `more than ${MAX_ADDRESS_LIST_ENTRIES} addresses`)
  }
  return entries.map((entry) => validateMailAddress(parseEntry(entry)))
}

/**
 * Splits at commas and semicolons outside double quotes and angle brackets; drops empty entries.
 * Exported for the fallback header scanner, which validates leniently.
 */
export function splitAddressList(text: string): string[] {
  const entries: string[] = []
  let start = 0
  let quoted = false
  let angled = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '\\') i++
      else if (c === '"') quoted = false
    } else if (c === '"') quoted = true
    else if (c === '<') angled = true
    else if (c === '>') angled = false
    else if ((c === ',' || c === ';') && !angled) {
      entries.push(text.slice(start, i))
      start = i + 1
    }
  }
  entries.push(text.slice(start))
  return entries.map((entry) => entry.trim()).filter((entry) => entry.length > 0)
}

/** `Name <addr>`, `"Quoted, Name" <addr>` or a bare `addr`; the address is not checked here. */
export function parseEntry(entry: string): MailAddress {
  const open = entry.lastIndexOf('<')
  if (open < 0) return { name: '', address: entry }
  const close = entry.indexOf('>', open)
  if (close < 0) throw MailboxError.ADDRESS_INVALID(entry, 'missing closing >')
  if (entry.slice(close + 1).trim() !== '') {
    throw MailboxError.ADDRESS_INVALID(entry, 'text after the closing >')
  }
  return {
    name: unquote(entry.slice(0, open).trim()),
    address: entry.slice(open + 1, close).trim(),
  }
}

/** C0 controls other than TAB, and DEL. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true
  }
  return false
}

function unquote(name: string): string {
  if (name.length < 2 || !name.startsWith('"') || !name.endsWith('"')) return name
  return name.slice(1, -1).replace(/\\(.)/g, '$1')
}
