import { addressProblem, parseEntry, splitAddressList } from './address.js'
import { decodeEncodedWords } from './encoded-words.js'
import { scanHeaders } from './header-scan.js'
import type { MailAddress, ParsedMessage, ParseErrorInfo } from './types.js'

// A msg-id token; `<` and `>` stop the class, so each failed attempt ends at the next bracket: linear.
const MESSAGE_ID = /<[^<>\s]{1,998}>/g
const MAX_REFERENCES = 100
const MAX_DATE_LENGTH = 200
const MAX_FALLBACK_ADDRESSES = 1000

/**
 * The message as best recovered without mailparser: the scanned headers and the raw bytes as lossy
 * UTF-8 text. `text` holds at most `maxTextBytes` bytes: a V8 string cannot exceed ~512 MiB, and the
 * decode runs on the main thread. Never throws.
 */
export function fallbackMessage(
  raw: Uint8Array,
  error: ParseErrorInfo,
  maxTextBytes: number,
): ParsedMessage {
  const headers = scanHeaders(raw)
  const message: ParsedMessage = {
    references: [...(headers.get('references') ?? '').matchAll(MESSAGE_ID)]
      .slice(0, MAX_REFERENCES)
      .map(([id]) => id),
    subject: decodeEncodedWords(headers.get('subject') ?? '').trim(),
    from: recoverAddresses(headers.get('from')),
    to: recoverAddresses(headers.get('to')),
    cc: recoverAddresses(headers.get('cc')),
    bcc: [],
    replyTo: recoverAddresses(headers.get('reply-to')),
    text: Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, maxTextBytes)).toString(
      'utf8',
    ),
    attachments: [],
    parseError: { code: error.code, message: error.message },
  }
  const messageId = firstMessageId(headers.get('message-id'))
  if (messageId !== undefined) message.messageId = messageId
  const inReplyTo = firstMessageId(headers.get('in-reply-to'))
  if (inReplyTo !== undefined) message.inReplyTo = inReplyTo
  const date = Date.parse((headers.get('date') ?? '').slice(0, MAX_DATE_LENGTH))
  if (Number.isFinite(date)) message.date = date
  return message
}

function firstMessageId(value: string | undefined): string | undefined {
  return value?.match(new RegExp(MESSAGE_ID.source))?.[0]
}

/** Entries that pass the strict address check; anything else is left for the raw text to show. */
function recoverAddresses(value: string | undefined): MailAddress[] {
  if (value === undefined) return []
  const out: MailAddress[] = []
  for (const entry of splitAddressList(value).slice(0, MAX_FALLBACK_ADDRESSES)) {
    try {
      const { name, address } = parseEntry(entry)
      if (addressProblem(address) === undefined)
        out.push({ name: decodeEncodedWords(name), address })
    } catch {
      // a malformed entry: skipped
    }
  }
  return out
}
