import { randomBytes } from 'node:crypto'
import { link, open, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Output for the exporters: a sink that respects backpressure, and new files that appear whole or not at
 * all (temp file, fsync, link) and never replace an existing file. Exported mail is private, so files are
 * created with mode 0600.
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
  const temp = join(dir, `.peermail-${process.pid}-${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', 0o600)
  try {
    const sink = new FileSink(handle)
    const result = await fill(sink)
    await sink.flush()
    await handle.sync()
    await handle.close()
    return { temp, result }
  } catch (err) {
    await handle.close().catch(() => undefined)
    await unlink(temp).catch(() => undefined)
    throw err
  }
}

/**
 * Gives the finished `temp` file the name `target`, unless a file of that name exists: then returns false
 * and keeps `temp`. `link` fails on an existing name where `rename` would silently replace it.
 */
export async function publish(temp: string, target: string): Promise<boolean> {
  try {
    await link(temp, target)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EEXIST') return false
    throw err
  }
  await unlink(temp)
  return true
}

/** Makes the new names in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Batches small writes (From_ lines, single `>`s) into large ones. */
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
