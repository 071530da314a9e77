import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { MailboxError } from '../errors.js'
import type { WireMessage, WorkerReply } from './parse-worker-source.js'
import type { ParsedMessage } from './types.js'

/** The result of one parse in the worker: a message, or the coded reason there is none. */
export type WorkerOutcome =
  { ok: true; message: ParsedMessage } | { ok: false; error: MailboxError }

/** One worker thread running mailparser; see {@link startParseWorker}. */
export interface ParseWorker {
  /** True once the thread has exited or is being terminated; start a new one then. */
  readonly dead: boolean
  /** Resolves once mailparser is loaded, or with the reason the thread died before that. */
  loaded(): Promise<MailboxError | undefined>
  /**
   * Parses one message; the caller makes at most one call at a time. The timeout runs from the moment
   * the message is posted (worker start-up is not charged to it); on timeout the thread is terminated.
   */
  parse(raw: Uint8Array, timeoutMs: number): Promise<WorkerOutcome>
  /**
   * Parses several messages in one round trip (one post each way, not one per message), each outcome as
   * {@link parse} would give it; `timeoutMs` bounds the whole call. When the call as a whole fails (the
   * time is up, the thread died or ran out of heap) it resolves `{ failed }` and says nothing about which
   * message was at fault: the caller parses them one by one to find out.
   */
  parseMany(
    raws: Uint8Array[],
    timeoutMs: number,
  ): Promise<WorkerOutcome[] | { failed: MailboxError }>
  terminate(): Promise<void>
}

let mailparserPath: string | undefined

/**
 * Starts a worker thread with a V8 heap limit. The thread is unref'd whenever nothing waits on it, so an
 * idle parser never keeps the process alive, and ref'd while a load or a parse is awaited, so a pending
 * parse does.
 */
export function startParseWorker(
  source: string,
  maxHeapMb: number,
  startupTimeoutMs: number,
): ParseWorker {
  mailparserPath ??= createRequire(import.meta.url).resolve('mailparser')
  const worker = new Worker(source, {
    eval: true,
    // Not inherited from the host: `--input-type=module` would make the CommonJS source fail to load,
    // and loader hooks (tsx, vitest) would only slow the worker down.
    execArgv: [],
    workerData: { mailparserPath },
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
  })
  worker.unref()

  let dead = false
  let death: MailboxError | undefined
  let holds = 0
  // The one request in the thread: settled with the worker's reply, or with the error that ended it.
  let pending: { id: number; settle: (outcome: WorkerReply | MailboxError) => void } | undefined
  let nextId = 0
  let markLoaded: (error: MailboxError | undefined) => void = () => undefined
  const loaded = new Promise<MailboxError | undefined>((resolve) => (markLoaded = resolve))

  const terminate = async (): Promise<void> => {
    dead = true
    await worker.terminate()
  }
  const hold = (): void => {
    if (holds++ === 0) worker.ref()
  }
  const release = (): void => {
    if (--holds === 0) worker.unref()
  }
  const fail = (error: MailboxError): void => {
    markLoaded(error)
    pending?.settle(error)
  }
  // Start-up is not charged to a message's timeout, but it is bounded too, so no parse can hang on it.
  const startup = setTimeout(() => {
    fail(failed(`the parser thread did not start within ${startupTimeoutMs} ms`))
    void terminate()
  }, startupTimeoutMs).unref()

  worker.on('message', (reply: WorkerReply) => {
    if (reply.type === 'ready') {
      clearTimeout(startup)
      markLoaded(undefined)
    } else if (pending?.id === reply.id) pending.settle(reply)
  })
  worker.on('messageerror', (err) => pending?.settle(failed(err.message)))
  // 'error' comes before 'exit' when the thread dies of an exception or of the heap limit.
  worker.on('error', (err: unknown) => {
    death =
      (err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? MailboxError.PARSE_HEAP(maxHeapMb)
        : failed(`the parser thread crashed: ${describe(err)}`)
  })
  worker.on('exit', () => {
    clearTimeout(startup)
    dead = true
    fail(death ?? failed('the parser thread stopped'))
  })

  // Posts one request and waits for its reply, or for the error that ends it (time up, thread gone).
  const request = async (
    body: { raw: Uint8Array } | { raws: Uint8Array[] },
    timeoutMs: number,
  ): Promise<WorkerReply | MailboxError> => {
    const loadError = await loaded
    if (loadError !== undefined) return loadError
    if (dead) return death ?? failed('the parser thread stopped')
    hold()
    return new Promise<WorkerReply | MailboxError>((resolve) => {
      const id = ++nextId
      const timer = setTimeout(() => {
        pending?.settle(MailboxError.PARSE_TIMEOUT(timeoutMs))
        void terminate()
      }, timeoutMs)
      pending = {
        id,
        settle: (outcome) => {
          clearTimeout(timer)
          pending = undefined
          release()
          resolve(outcome)
        },
      }
      const copies = 'raw' in body ? { raw: ownCopy(body.raw) } : { raws: body.raws.map(ownCopy) }
      const transfer = ('raw' in copies ? [copies.raw] : copies.raws).map((c) => c.buffer)
      worker.postMessage({ id, ...copies }, transfer)
    })
  }

  return {
    get dead() {
      return dead
    },
    async loaded() {
      hold()
      try {
        return await loaded
      } finally {
        release()
      }
    },
    async parse(raw, timeoutMs) {
      hold() // across the wait for start-up too, so a pending parse keeps the process alive
      try {
        const reply = await request({ raw }, timeoutMs)
        if (reply instanceof MailboxError) return { ok: false, error: reply }
        if (reply.type === 'error') return { ok: false, error: failed(reply.reason) }
        if (reply.type === 'result') return { ok: true, message: fromWire(reply.message) }
        return { ok: false, error: failed('the parser thread answered out of turn') }
      } finally {
        release()
      }
    },
    async parseMany(raws, timeoutMs) {
      hold()
      try {
        const reply = await request({ raws }, timeoutMs)
        if (reply instanceof MailboxError) return { failed: reply }
        if (reply.type !== 'results' || reply.outcomes.length !== raws.length)
          return { failed: failed('the parser thread answered out of turn') }
        return reply.outcomes.map((outcome): WorkerOutcome =>
          outcome.ok
            ? { ok: true, message: fromWire(outcome.message) }
            : { ok: false, error: failed(outcome.reason) },
        )
      } finally {
        release()
      }
    },
    terminate,
  }
}

// One copy into a buffer of its own, then a transfer. Posting `raw` itself would clone its whole backing
// store, which for a slice of a large mbox file is the whole file.
function ownCopy(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(raw.byteLength)
  copy.set(raw)
  return copy
}

function failed(reason: string): MailboxError {
  return MailboxError.PARSE_FAILED(reason)
}

/** Error text from the worker can carry message bytes: bounded before it goes into an error message. */
function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500)
}

function fromWire(wire: WireMessage): ParsedMessage {
  return {
    ...wire,
    attachments: wire.attachments.map((a) => ({
      ...a,
      content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
    })),
  }
}
