import { BridgeError } from './errors.js'

// An ordinary mailbox as the bridge accepts it in an envelope: dot-atom local part, DNS domain. Quoted
// local parts and comments are refused outright: address parsers have mis-routed on exactly those
// (stack-notes.md, nodemailer advisories), and the bridge never needs them.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** An ordinary address checked for use as an SMTP envelope recipient (domain lower-cased). */
export function envelopeAddress(text: string): string {
  if (typeof (text as unknown) !== 'string') throw BridgeError.INVALID_ALIAS('?', 'not text')
  if (text.length > 254) throw BridgeError.INVALID_ALIAS(text, 'too long')
  const at = text.lastIndexOf('@')
  const local = text.slice(0, at)
  const domain = text.slice(at + 1).toLowerCase()
  const labels = domain.split('.')
  if (
    at <= 0 ||
    local.length > 64 ||
    !LOCAL.test(local) ||
    labels.length < 2 ||
    !labels.every((l) => LABEL.test(l)) ||
    domain === 'peermail.invalid'
  )
    throw BridgeError.INVALID_ALIAS(text, 'not an ordinary address the bridge can deliver to')
  return `${local}@${domain}`
}
