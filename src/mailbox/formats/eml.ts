import { mkdir, open, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { MailboxError } from '../errors.js'
import { publish, syncDirectory, writeTemp } from './file-output.js'
import { emlBaseName, emlFileName } from './eml-names.js'
import { openError, withLocation } from './import-errors.js'
import { DEFAULT_MAX_MESSAGE_BYTES } from '../records.js'
import { classifyHead, readHead } from './sniff.js'

/** Reading one `.eml` file and writing one file per message; the bytes are the message, unchanged. */

/** Options of {@link readEml}. */
export interface ReadEmlOptions {
  /** Larger files are refused with MESSAGE_TOO_LARGE. Default 50 MiB. */
  maxMessageBytes?: number
}

/**
 * Reads a message file as its exact bytes. Throws IMPORT_FORMAT naming the file when it is missing, empty,
 * an mbox, or does not start with a header field (after a BOM and blank lines), and MESSAGE_TOO_LARGE
 * (naming the file) when it is larger than `maxMessageBytes`.
 */
export async function readEml(path: string, options: ReadEmlOptions = {}): Promise<Buffer> {
  const limit = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw MailboxError.INVALID_ARGUMENT('maxMessageBytes must be a positive integer')
  }
  const handle = await open(path, 'r').catch((err: unknown) => {
    throw openError(path, err)
  })
  try {
    const info = await handle.stat()
    if (info.isDirectory()) throw MailboxError.IMPORT_FORMAT(path, 'is a directory, not a file')
    if (info.size > limit) {
      throw withLocation(MailboxError.MESSAGE_TOO_LARGE(info.size, limit), path)
    }
    const head = await readHead(handle)
    const kind = classifyHead(head)
    if (kind.kind === 'mbox') {
      throw MailboxError.IMPORT_FORMAT(
        path,
        'this is an mbox file (it starts with a "From " line): import it as mbox',
      )
    }
    if (kind.kind === 'unknown') throw MailboxError.IMPORT_FORMAT(path, kind.reason)
    const raw = await handle.readFile()
    // The file may have grown since stat(); the limit holds for what was read.
    if (raw.length > limit)
      throw withLocation(MailboxError.MESSAGE_TOO_LARGE(raw.length, limit), path)
    return raw
  } finally {
    await handle.close()
  }
}

/** A message to write as a `.eml` file. */
export interface EmlMessage {
  raw: Buffer
  /** A subject or id to name the file by; sanitised, so anything goes. */
  name?: string
}

/** Options of {@link writeEmlFiles}. */
export interface WriteEmlOptions {
  /** Called after each file written. */
  onProgress?: (progress: { messages: number; bytes: number }) => void
}

/** What {@link writeEmlFiles} wrote: `files` are the paths, in message order. */
export interface WriteEmlResult {
  messages: number
  bytes: number
  files: string[]
}

/** A file name that is taken is retried with a suffix this many times before giving up. */
const MAX_NAME_ATTEMPTS = 1000

/**
 * Writes each message to its own file in `dir` (created if missing), named from its position and `name`
 * (see eml-names.ts). Each file appears whole (temp file, fsync, link), has mode 0600, and never replaces
 * an existing file: a taken name gets a `-2`, `-3`… suffix. An empty message is refused (INVALID_ARGUMENT),
 * as it could not be read back.
 */
export async function writeEmlFiles(
  messages: AsyncIterable<EmlMessage> | Iterable<EmlMessage>,
  dir: string,
  options: WriteEmlOptions = {},
): Promise<WriteEmlResult> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const files: string[] = []
  let bytes = 0
  for await (const message of messages) {
    const index = files.length
    if (!Buffer.isBuffer(message.raw) || message.raw.length === 0) {
      throw MailboxError.INVALID_ARGUMENT(`message ${index + 1} is empty or not a Buffer`)
    }
    const { temp } = await writeTemp(dir, (sink) => sink.write(message.raw))
    files.push(await publishUnder(temp, dir, emlBaseName(index, message.name)))
    bytes += message.raw.length
    options.onProgress?.({ messages: files.length, bytes })
  }
  if (files.length > 0) await syncDirectory(dir)
  return { messages: files.length, bytes, files }
}

async function publishUnder(temp: string, dir: string, base: string): Promise<string> {
  try {
    for (let attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
      const path = join(dir, emlFileName(base, attempt))
      if (await publish(temp, path)) return path
    }
  } catch (err) {
    await unlink(temp).catch(() => undefined)
    throw err
  }
  await unlink(temp).catch(() => undefined)
  throw MailboxError.INVALID_ARGUMENT(
    `${dir}: ${MAX_NAME_ATTEMPTS} files named ${base}* already exist`,
  )
}
