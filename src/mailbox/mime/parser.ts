import { MailboxError } from '../errors.js'
import { fallbackMessage } from './fallback.js'
import { startParseWorker, type ParseWorker } from './parse-worker.js'
import { PARSE_WORKER_SOURCE } from './parse-worker-source.js'
import type { ParsedMessage } from './types.js'

/** Settings for {@link createMimeParser}. */
export interface MimeParserOptions {
  /** Longest one message may take in the worker; default 10 s. The worker is restarted after it. */
  timeoutMs?: number
  /**
   * V8 old-generation heap of the worker, in MB; default 256. A process started with
   * `--max-old-space-size` overrides it (Node applies the flag to workers too).
   */
  maxHeapMb?: number
  /** Bigger messages are never handed to mailparser; default 50 MiB. */
  maxMessageBytes?: number
}

/** Defaults of {@link MimeParserOptions}. */
export const MIME_PARSER_DEFAULTS = {
  timeoutMs: 10_000,
  maxHeapMb: 256,
  maxMessageBytes: 50 * 1024 * 1024,
} as const

// Loading mailparser takes ~0.1 s; 30 s only trips on a worker that is truly stuck.
const STARTUP_TIMEOUT_MS = 30_000
/**
 * Most messages, and bytes, handed to the worker in one round trip by `parseMany`: a round trip costs the
 * main thread more than parsing a small message costs the worker. Larger messages go alone.
 */
const GROUP_MESSAGES = 64
const GROUP_BYTES = 1024 * 1024

/** Parses untrusted RFC 5322 messages off the main thread; see {@link createMimeParser}. */
export interface MimeParser {
  /**
   * Starts the worker and waits for mailparser to load; optional, `parse` starts it on demand. Rejects
   * with the coded reason (PARSE_HEAP, PARSE_FAILED) if the worker cannot load.
   */
  ready(): Promise<void>
  /**
   * Parses one message. Never rejects because of the input: on any failure it resolves a fallback with
   * `parseError` set (PARSE_FAILED, PARSE_TIMEOUT, PARSE_HEAP or MESSAGE_TOO_LARGE), best-effort headers
   * and the raw message as `text`. Rejects with MAILBOX_CLOSED once {@link MimeParser.close} was called,
   * or INVALID_ARGUMENT when `raw` is not bytes. Messages are handled in call order.
   */
  parse(raw: Uint8Array): Promise<ParsedMessage>
  /**
   * Parses several messages, each as {@link MimeParser.parse} would (same fallbacks), in few round trips:
   * small messages go to the worker in groups. A group that fails as a whole (its time limit, the heap
   * cap, a crash) is parsed again one message at a time, so only the message at fault falls back.
   */
  parseMany(raws: Uint8Array[]): Promise<ParsedMessage[]>
  /** Terminates the worker; queued and running parses reject with MAILBOX_CLOSED. */
  close(): Promise<void>
}

/**
 * Creates a parser that runs mailparser in one persistent worker thread, started lazily and reused, one
 * message at a time, under a heap limit and a per-message timeout. mailparser is in maintenance mode and
 * its maintainer warns against parsing untrusted mail with it unguarded: a hang or a heap blow-up costs
 * one worker, not the process. Caveat: V8 enforces the heap limit best-effort; a single huge allocation
 * near the limit can still abort the whole process (nodejs/node#47224). The default limits leave wide
 * room for any message under `maxMessageBytes`.
 *
 * @throws MailboxError INVALID_ARGUMENT for a limit that is not a positive number.
 */
export function createMimeParser(options: MimeParserOptions = {}): MimeParser {
  return createMimeParserWithTestHooks(options, {})
}

/**
 * Test-only knobs, so tests can stall or break the worker deterministically instead of racing a clock.
 *
 * @internal
 */
export interface MimeParserTestHooks {
  /** Replaces the worker's code. */
  workerSource?: string
  /** Bound on worker start-up; default 30 s. */
  startupTimeoutMs?: number
}

/**
 * Test-only: {@link createMimeParser} with {@link MimeParserTestHooks}. Not exported from the package.
 *
 * @internal
 */
export function createMimeParserWithTestHooks(
  options: MimeParserOptions,
  hooks: MimeParserTestHooks,
): MimeParser {
  const { workerSource = PARSE_WORKER_SOURCE, startupTimeoutMs = STARTUP_TIMEOUT_MS } = hooks
  const timeoutMs = limit(options.timeoutMs, MIME_PARSER_DEFAULTS.timeoutMs, 'timeoutMs')
  const maxHeapMb = limit(options.maxHeapMb, MIME_PARSER_DEFAULTS.maxHeapMb, 'maxHeapMb')
  const maxMessageBytes = limit(
    options.maxMessageBytes,
    MIME_PARSER_DEFAULTS.maxMessageBytes,
    'maxMessageBytes',
  )

  let worker: ParseWorker | undefined
  let closing: Promise<void> | undefined
  // Requests chain on this promise, so the worker sees one message at a time in arrival order.
  let queue: Promise<unknown> = Promise.resolve()
  // A function, not the variable, so TypeScript does not narrow it across the awaits below.
  const closed = (): boolean => closing !== undefined

  const current = (): ParseWorker => {
    if (worker === undefined || worker.dead) {
      worker = startParseWorker(workerSource, maxHeapMb, startupTimeoutMs)
    }
    return worker
  }

  const parseOne = async (raw: Uint8Array): Promise<ParsedMessage> => {
    if (closed()) throw MailboxError.CLOSED()
    const outcome = await current().parse(raw, timeoutMs)
    // A close() while this message was in the worker terminated it: report that, not the fallout.
    if (closed()) throw MailboxError.CLOSED()
    if (outcome.ok) return outcome.message
    return fallbackMessage(raw, outcome.error, maxMessageBytes)
  }

  // One group in one round trip; a group of one, or one that failed as a whole, message by message.
  const parseGroup = async (group: Uint8Array[]): Promise<ParsedMessage[]> => {
    const [only] = group
    if (group.length === 1 && only) return [await parseOne(only)]
    if (closed()) throw MailboxError.CLOSED()
    const outcomes = await current().parseMany(group, timeoutMs)
    if (closed()) throw MailboxError.CLOSED()
    if ('failed' in outcomes) {
      const one: ParsedMessage[] = []
      for (const raw of group) one.push(await parseOne(raw))
      return one
    }
    return outcomes.map((outcome, i) =>
      outcome.ok
        ? outcome.message
        : fallbackMessage(group[i] ?? new Uint8Array(), outcome.error, maxMessageBytes),
    )
  }

  const parseAll = async (raws: Uint8Array[]): Promise<ParsedMessage[]> => {
    const out: ParsedMessage[] = []
    let group: number[] = []
    let bytes = 0
    const flush = async (): Promise<void> => {
      if (group.length === 0) return
      const members = group
      group = []
      bytes = 0
      const parsed = await parseGroup(members.map((i) => raws[i] ?? new Uint8Array()))
      members.forEach((i, j) => {
        const message = parsed[j]
        if (message) out[i] = message
      })
    }
    for (const [i, raw] of raws.entries()) {
      if (raw.byteLength > maxMessageBytes) {
        const error = MailboxError.MESSAGE_TOO_LARGE(raw.byteLength, maxMessageBytes)
        out[i] = fallbackMessage(raw, error, maxMessageBytes)
        continue
      }
      if (group.length >= GROUP_MESSAGES || bytes + raw.byteLength > GROUP_BYTES) await flush()
      group.push(i)
      bytes += raw.byteLength
    }
    await flush()
    return out
  }

  return {
    async ready() {
      if (closed()) throw MailboxError.CLOSED()
      const error = await current().loaded()
      if (closed()) throw MailboxError.CLOSED()
      if (error !== undefined) throw error
    },

    parse(raw) {
      if (closed()) return Promise.reject(MailboxError.CLOSED())
      if (!((raw as unknown) instanceof Uint8Array)) {
        return Promise.reject(MailboxError.INVALID_ARGUMENT('parse() takes the message as bytes'))
      }
      if (raw.byteLength > maxMessageBytes) {
        const error = MailboxError.MESSAGE_TOO_LARGE(raw.byteLength, maxMessageBytes)
        return Promise.resolve(fallbackMessage(raw, error, maxMessageBytes))
      }
      const result = queue.then(() => parseOne(raw))
      queue = result.catch(() => undefined)
      return result
    },

    parseMany(raws) {
      if (closed()) return Promise.reject(MailboxError.CLOSED())
      if (!Array.isArray(raws) || raws.some((raw) => !((raw as unknown) instanceof Uint8Array))) {
        return Promise.reject(MailboxError.INVALID_ARGUMENT('parseMany() takes messages as bytes'))
      }
      const result = queue.then(() => parseAll(raws))
      queue = result.catch(() => undefined)
      return result
    },

    close() {
      closing ??= (async () => {
        const last = worker
        worker = undefined
        await last?.terminate()
      })()
      return closing
    },
  }
}

function limit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) {
    throw MailboxError.INVALID_ARGUMENT(`${name} must be a positive number`)
  }
  return value
}
