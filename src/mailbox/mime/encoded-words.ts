import { TextDecoder } from 'node:util'

/**
 * RFC 2047 encoded words (`=?charset?Q|B?text?=`) for the fallback header scanner. The character classes
 * stop at `?` and whitespace and the lengths are bounded, so a failed match costs at most the distance
 * to the next `?`: linear in the header. Words in a charset TextDecoder does not know stay as they are.
 */
const ENCODED_WORD = /=\?([^?\s]{1,64})\?([BbQq])\?([^?\s]{0,2048})\?=/g

/** Decodes every encoded word in `value`, dropping the whitespace between adjacent ones (§6.2). */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value
  let out = ''
  let last = 0
  let previousWasWord = false
  for (const match of value.matchAll(ENCODED_WORD)) {
    const [word, charset = '', encoding = '', text = ''] = match
    const gap = value.slice(last, match.index)
    const decoded = decodeWord(charset, encoding, text)
    out += previousWasWord && decoded !== undefined && gap.trim() === '' ? '' : gap
    out += decoded ?? word
    previousWasWord = decoded !== undefined
    last = match.index + word.length
  }
  return out + value.slice(last)
}

function decodeWord(charset: string, encoding: string, text: string): string | undefined {
  // RFC 2231 §5 allows a language suffix: =?utf-8*en?Q?...?=
  const label = charset.split('*')[0] ?? ''
  let decoder: TextDecoder
  try {
    decoder = new TextDecoder(label)
  } catch {
    return undefined
  }
  const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text)
  return decoder.decode(bytes)
}

/** The Q encoding: `_` is a space, `=XX` a byte, anything else itself. */
function decodeQ(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length)
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const hex = c === 0x3d ? text.slice(i + 1, i + 3) : ''
    if (hex.length === 2 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes[n++] = parseInt(hex, 16)
      i += 2
    } else {
      bytes[n++] = c === 0x5f ? 0x20 : c & 0xff
    }
  }
  return bytes.subarray(0, n)
}
