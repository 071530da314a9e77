import { access, open, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { MailboxError } from '../errors.js'
import { streamSink, publish, syncDirectory, writeTemp, type ByteSink } from './file-output.js'
import { formatFromLine } from './from-line.js'
import { openError } from './import-errors.js'
import { escapeFromLines, framingNewline } from './mbox-framing.js'
import type { MboxEntry } from './mbox-message.js'
import { MboxParser } from './mbox-parser.js'
import { DEFAULT_MAX_MESSAGE_BYTES } from '../records.js'

/**
 * Reading and writing mbox files, streaming. The byte rules (escaping, framing) are in mbox-framing.ts, the
 * reader's state machine in mbox-parser.ts.
 */

export type { MboxEntry } from './mbox-message.js'

/**
 * How escaped lines are read back. `mboxrd` takes one `>` off every `^>+From ` line. `mboxo` takes one off
 * `^>From ` lines only, as mboxo writers escape `From ` lines and leave `>From ` lines alone: in such a file
 * an original `From x` and an original `>From x` are both stored as `>From x`, and both come back as
 * `From x` (the format cannot tell them apart). `auto`, the default, applies the mboxrd rule: it reads
 * every line as mboxo does except `^>>+From ` ones, and a file holding those is most likely mboxrd, so no
 * look-ahead is needed and reading stays streaming. Pass `mboxo` for a file known to come from an mboxo
 * writer whose messages quote `>From ` lines.
 */
export type MboxVariant = 'auto' | 'mboxrd' | 'mboxo'

/** Progress of {@link readMbox}: bytes consumed, the file size when known, entries yielded. */
export interface MboxReadProgress {
  bytesRead: number
  totalBytes?: number
  /** Entries yielded so far, messages and error entries alike. */
  messages: number
}

/** Options of {@link readMbox}. */
export interface ReadMboxOptions {
  /** Names the file in errors; defaults to the path, or `mbox` for a stream. */
  file?: string
  variant?: MboxVariant
  /** Messages larger than this become MESSAGE_TOO_LARGE entries. Default {@link DEFAULT_MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number
  /** Called after each chunk read and once at the end. */
  onProgress?: (progress: MboxReadProgress) => void
}

/** A source of mbox bytes: a file path, a byte stream, or any async iterable of byte chunks. */
export type MboxSource = string | NodeJS.ReadableStream | AsyncIterable<Uint8Array>

/**
 * Reads the messages of an mbox, one at a time, holding only the current message in memory.
 *
 * Yields every message as its original bytes, or an error entry naming it (IMPORT_MESSAGE_INVALID for an
 * empty message or garbage before the first message, MESSAGE_TOO_LARGE past `maxMessageBytes`), and reads
 * on. Throws IMPORT_FORMAT naming the file when it is not an mbox (no `From ` line at the start) or cannot
 * be opened, INVALID_ARGUMENT for bad options or a stream that yields text instead of bytes. An empty file
 * is an mbox with no messages (Thunderbird writes empty folders so).
 *
 * Each message ends where the next From_ line starts, less the one line ending mbox writers put between
 * messages (CRLF when the From_ line or the message's first line ends in CRLF, else LF): files written by
 * {@link writeMbox} come back byte for byte; a foreign message whose writer added no blank line loses its
 * final line ending.
 */
export async function* readMbox(
  source: MboxSource,
  options: ReadMboxOptions = {},
): AsyncGenerator<MboxEntry, void, undefined> {
  const file = options.file ?? (typeof source === 'string' ? source : 'mbox')
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
    throw MailboxError.INVALID_ARGUMENT('maxMessageBytes must be a positive integer')
  }
  const variant = options.variant ?? 'auto'
  if (!['auto', 'mboxrd', 'mboxo'].includes(variant)) {
    throw MailboxError.INVALID_ARGUMENT(`unknown mbox variant ${JSON.stringify(variant)}`)
  }
  const parser = new MboxParser({
    file,
    variant: variant === 'mboxo' ? 'mboxo' : 'mboxrd',
    maxMessageBytes,
  })
  const { chunks, totalBytes } = await openSource(source, file)
  let bytesRead = 0
  let messages = 0
  const report = () => {
    const progress: MboxReadProgress = { bytesRead, messages }
    if (totalBytes !== undefined) progress.totalBytes = totalBytes
    options.onProgress?.(progress)
  }
  for await (const chunk of chunks) {
    const bytes = asBytes(chunk)
    if (bytes.length === 0) continue
    bytesRead += bytes.length
    for (const entry of parser.push(bytes)) {
      messages++
      yield entry
    }
    report()
  }
  for (const entry of parser.end()) {
    messages++
    yield entry
  }
  report()
}

async function openSource(
  source: MboxSource,
  file: string,
): Promise<{ chunks: AsyncIterable<unknown>; totalBytes?: number }> {
  if (typeof source !== 'string') return { chunks: source }
  const handle = await open(source, 'r').catch((err: unknown) => {
    throw openError(file, err)
  })
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw MailboxError.IMPORT_FORMAT(file, 'not a regular file')
    // 256 KiB reads: few system calls for a 1 GB file, small next to one message. The stream closes the
    // handle when it ends or is destroyed (the caller stopping early).
    return { chunks: handle.createReadStream({ highWaterMark: 256 * 1024 }), totalBytes: info.size }
  } catch (err) {
    await handle.close()
    throw err
  }
}

function asBytes(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
  throw MailboxError.INVALID_ARGUMENT(
    'readMbox needs a stream of bytes, not text (was setEncoding called on the stream?)',
  )
}

/** A message to export, with what the From_ line should say about it. */
export interface MboxMessage {
  raw: Buffer
  /** Envelope sender for the From_ line; `MAILER-DAEMON` when absent. */
  from?: string
  /** Date for the From_ line; the current time when absent or invalid. */
  date?: Date
}

/** Progress of {@link writeMbox}. */
export interface MboxWriteProgress {
  messages: number
  bytes: number
}

/** Options of {@link writeMbox}. */
export interface WriteMboxOptions {
  /** Called after each message written. */
  onProgress?: (progress: MboxWriteProgress) => void
}

/** What {@link writeMbox} wrote. */
export interface WriteMboxResult {
  messages: number
  bytes: number
}

/**
 * Writes messages as mboxrd, streaming: a From_ line, the message with one `>` before every `^>*From `
 * line, and one line ending in the message's own style (see mbox-framing.ts). {@link readMbox} gives every
 * message back byte for byte.
 *
 * `out` is a stream, left open for the caller to end, or a path: then the file is created with mode 0600,
 * appears only when complete, and an existing file is never replaced (INVALID_ARGUMENT). An empty message
 * cannot be represented (it would read back as an empty-message error) and is refused with
 * INVALID_ARGUMENT; so is a `raw` that is not a Buffer.
 */
export async function writeMbox(
  messages: AsyncIterable<MboxMessage> | Iterable<MboxMessage>,
  out: NodeJS.WritableStream | string,
  options: WriteMboxOptions = {},
): Promise<WriteMboxResult> {
  if (typeof out !== 'string') {
    const sink = streamSink(out)
    try {
      return await writeMessages(messages, sink, options)
    } finally {
      sink.release()
    }
  }
  // Checked first so a long export does not run to the end only to fail; publish() checks again.
  if (await pathExists(out)) throw alreadyExists(out)
  const { temp, result } = await writeTemp(dirname(out), (sink) =>
    writeMessages(messages, sink, options),
  )
  if (!(await publish(temp, out))) {
    await unlink(temp).catch(() => undefined)
    throw alreadyExists(out)
  }
  await syncDirectory(dirname(out))
  return result
}

async function writeMessages(
  messages: AsyncIterable<MboxMessage> | Iterable<MboxMessage>,
  sink: ByteSink,
  options: WriteMboxOptions,
): Promise<WriteMboxResult> {
  let count = 0
  let bytes = 0
  for await (const message of messages) {
    const { raw } = message
    if (!Buffer.isBuffer(raw) || raw.length === 0) {
      throw MailboxError.INVALID_ARGUMENT(`message ${count + 1} is empty or not a Buffer`)
    }
    const parts = [
      Buffer.from(`${formatFromLine(message.from, message.date)}\n`),
      ...escapeFromLines(raw),
      Buffer.from(framingNewline(raw)),
    ]
    for (const part of parts) {
      await sink.write(part)
      bytes += part.length
    }
    count++
    options.onProgress?.({ messages: count, bytes })
  }
  return { messages: count, bytes }
}

function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

function alreadyExists(path: string): MailboxError {
  return MailboxError.INVALID_ARGUMENT(`${path} already exists; choose a new file name`)
}
