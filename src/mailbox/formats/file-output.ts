import type { FileHandle } from 'node:fs/promises'
import { publish, syncDirectory, writeTempFile } from '../../shared/atomic-file.js'

/**
 * Output for the exporters: a sink that respects backpressure, and new files that appear whole or not at
 * all and never replace an existing file (shared/atomic-file.ts).
 */

/** Where an exporter puts bytes; `write` resolves when it may be given more. */
export interface ByteSink {
  write(bytes: Buffer): Promise<void>
}

/** A sink over a caller's stream: waits for 'drain' when `write` says to, fails on 'error' or 'close'. */
export function streamSink(stream: NodeJS.WritableStream): ByteSink & { release(): void } {
  let failure: Error | undefined
  const onError = (err: unknown) => {
    failure ??= asError(err)
  }
  stream.on('error', onError)
  return {
    async write(bytes) {
      if (failure !== undefined) throw failure
      if (!stream.write(bytes)) await drained(stream)
    },
    release() {
      stream.off('error', onError)
    },
  }
}

function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: unknown) => {
      stream.off('drain', onDrain)
      stream.off('error', onError)
      stream.off('close', onClose)
      if (err === undefined) resolve()
      else reject(asError(err))
    }
    const onDrain = () => {
      settle()
    }
    const onError = (err: unknown) => {
      settle(err)
    }
    const onClose = () => {
      settle(new Error('The output stream closed before all data was written'))
    }
    stream.on('drain', onDrain)
    stream.on('error', onError)
    stream.on('close', onClose)
  })
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error('The output stream failed', { cause: err })
}

/**
 * Writes a new file with a temporary name in `dir` through `fill`, then fsyncs it. The caller gives it its
 * real name with {@link publish}; on failure the temp file is removed.
 */
export async function writeTemp<T>(
  dir: string,
  fill: (sink: ByteSink) => Promise<T>,
): Promise<{ temp: string; result: T }> {
  return writeTempFile(dir, async (handle) => {
    const sink = new FileSink(handle)
    const result = await fill(sink)
    await sink.flush()
    return result
  })
}

export { publish, syncDirectory }

class FileSink implements ByteSink {
  private readonly staging = Buffer.allocUnsafe(1024 * 1024)
  private used = 0

  constructor(private readonly handle: FileHandle) {}

  async write(bytes: Buffer): Promise<void> {
    if (bytes.length > this.staging.length - this.used) await this.flush()
    if (bytes.length >= this.staging.length) {
      await writeFully(this.handle, bytes)
      return
    }
    bytes.copy(this.staging, this.used)
    this.used += bytes.length
  }

  async flush(): Promise<void> {
    if (this.used === 0) return
    await writeFully(this.handle, this.staging.subarray(0, this.used))
    this.used = 0
  }
}

async function writeFully(handle: FileHandle, bytes: Buffer): Promise<void> {
  let done = 0
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done)
    done += bytesWritten
  }
}
