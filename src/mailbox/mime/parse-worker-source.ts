import type { ParsedAttachment, ParsedMessage } from './types.js'

/**
 * The parse worker's code, evaluated as CommonJS in a `worker_threads` Worker (`eval: true`). Passing it
 * as a string means the same code runs under vitest (TypeScript sources, no build) and from `dist/`,
 * with no worker file to locate or copy; `workerData.mailparserPath` is resolved by the main thread.
 *
 * Protocol, one request at a time:
 *   main → worker  `{ id, raw: Uint8Array }` (raw's buffer is transferred)
 *                  or `{ id, raws: Uint8Array[] }` (several messages, parsed in order, one reply)
 *   worker → main  `{ type: 'ready' }` once mailparser is loaded,
 *                  `{ type: 'result', id, message: WireMessage }` (attachment buffers transferred),
 *                  `{ type: 'error', id, reason }` when mailparser rejects,
 *                  `{ type: 'results', id, outcomes }` for `raws`: per message `{ ok: true, message }`
 *                  or `{ ok: false, reason }`.
 * The worker shapes mailparser's output into plain data here, so only plain data crosses the thread.
 */
export const PARSE_WORKER_SOURCE = `'use strict'
const { parentPort, workerData } = require('node:worker_threads')
const { simpleParser } = require(workerData.mailparserPath)

// keepCidLinks: leave cid: links alone instead of inlining every image into the HTML as a data: URL.
// The others turn off link detection and text-to-HTML that Peermail does not use and that only cost
// time on hostile input.
const OPTIONS = { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true }

function str(value) {
  return typeof value === 'string' ? value : undefined
}

function addresses(header) {
  const out = []
  const objects = Array.isArray(header) ? header : header ? [header] : []
  for (const object of objects) {
    if (!object || !Array.isArray(object.value)) continue
    for (const entry of object.value) {
      // mailparser nests group members one level down; flatten them into the list
      const members = entry && Array.isArray(entry.group) ? entry.group : [entry]
      for (const member of members) {
        if (member && typeof member.address === 'string' && member.address !== '') {
          out.push({ name: str(member.name) || '', address: member.address })
        }
      }
    }
  }
  return out
}

// A transferred ArrayBuffer must belong to this one view: small Buffers share Node's pool.
function exclusive(content, seen) {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.alloc(0)
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !seen.has(bytes.buffer)) {
    seen.add(bytes.buffer)
    return bytes
  }
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  seen.add(copy.buffer)
  return copy
}

// seen: the buffers already transferred in this reply (one reply may carry several messages).
function shape(mail, seen = new Set()) {
  const attachments = (Array.isArray(mail.attachments) ? mail.attachments : []).map((a) => {
    const content = exclusive(a.content, seen)
    const out = {
      contentType: str(a.contentType) || 'application/octet-stream',
      size: content.byteLength,
      inline: a.contentDisposition === 'inline' || a.related === true,
      content,
    }
    if (str(a.filename) !== undefined) out.filename = a.filename
    if (str(a.cid) !== undefined) out.contentId = a.cid
    return out
  })
  const refs = mail.references
  const message = {
    references: Array.isArray(refs) ? refs.filter((r) => typeof r === 'string') : str(refs) ? [refs] : [],
    subject: str(mail.subject) || '',
    from: addresses(mail.from),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    bcc: addresses(mail.bcc),
    replyTo: addresses(mail.replyTo),
    attachments,
  }
  if (str(mail.messageId) !== undefined) message.messageId = mail.messageId
  if (str(mail.inReplyTo) !== undefined) message.inReplyTo = mail.inReplyTo
  if (mail.date instanceof Date && Number.isFinite(mail.date.getTime())) message.date = mail.date.getTime()
  if (str(mail.text) !== undefined) message.text = mail.text
  if (str(mail.html) !== undefined) message.html = mail.html
  return { message, transfer: [...seen] }
}

function reasonOf(err) {
  return String((err && err.message) || err).slice(0, 500)
}

async function parseMany(id, raws) {
  const outcomes = []
  const seen = new Set()
  for (const raw of raws) {
    try {
      const mail = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), OPTIONS)
      outcomes.push({ ok: true, message: shape(mail, seen).message })
    } catch (err) {
      outcomes.push({ ok: false, reason: reasonOf(err) })
    }
  }
  parentPort.postMessage({ type: 'results', id, outcomes }, [...seen])
}

parentPort.on('message', async ({ id, raw, raws }) => {
  if (Array.isArray(raws)) return parseMany(id, raws)
  try {
    const mail = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), OPTIONS)
    const { message, transfer } = shape(mail)
    parentPort.postMessage({ type: 'result', id, message }, transfer)
  } catch (err) {
    parentPort.postMessage({ type: 'error', id, reason: reasonOf(err) })
  }
})

parentPort.postMessage({ type: 'ready' })
`

/** What the worker sends back; attachment content arrives as a Uint8Array over a transferred buffer. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; message: WireMessage }
  | { type: 'error'; id: number; reason: string }
  | {
      type: 'results'
      id: number
      outcomes: ({ ok: true; message: WireMessage } | { ok: false; reason: string })[]
    }

/** A {@link ParsedMessage} as posted by the worker, before the main thread wraps content as Buffers. */
export interface WireMessage extends Omit<ParsedMessage, 'attachments' | 'parseError'> {
  attachments: (Omit<ParsedAttachment, 'content'> & { content: Uint8Array })[]
}
