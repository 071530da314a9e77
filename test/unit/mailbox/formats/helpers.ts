import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { Writable } from 'node:stream'
import {
  readMbox,
  writeMbox,
  type MboxEntry,
  type MboxMessage,
  type ReadMboxOptions,
} from '../../../../src/mailbox/formats/index.js'

/** Shared by the format tests: fixtures, chunkers, and in-memory write/read. */

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../../fixtures/mbox/${name}`, import.meta.url))
}

export function readFixture(name: string): Promise<Buffer> {
  return readFile(fixturePath(name))
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

/** `bytes` as an async iterable cut after every `sizes[i]` bytes (cycling), so cuts land anywhere. */
export async function* chunked(bytes: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  let at = 0
  for (let i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes.length === 0 ? bytes.length : sizes[i % sizes.length]!)
    await Promise.resolve() // asynchronous, as a real stream is
    yield bytes.subarray(at, at + size)
    at += size
  }
}

/** An mbox written to memory through a stream. */
export async function writeToBuffer(messages: Iterable<MboxMessage>): Promise<Buffer> {
  const parts: Buffer[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      parts.push(chunk)
      done()
    },
  })
  await writeMbox(messages, sink)
  return Buffer.concat(parts)
}

export function readBuffer(
  bytes: Buffer,
  sizes: readonly number[] = [],
  options?: ReadMboxOptions,
): Promise<MboxEntry[]> {
  return collect(readMbox(chunked(bytes, sizes), options))
}

/** Entries in a form `toEqual` compares fully, errors by code and text. */
export function comparable(entries: readonly MboxEntry[]): unknown[] {
  return entries.map((entry) =>
    'raw' in entry
      ? { ...entry, raw: entry.raw.toString('latin1') }
      : {
          index: entry.index,
          offset: entry.offset,
          code: entry.error.code,
          message: entry.error.message,
        },
  )
}

/** The raw messages of entries, failing on error entries. */
export function raws(entries: readonly MboxEntry[]): Buffer[] {
  return entries.map((entry) => {
    if ('error' in entry) throw entry.error
    return entry.raw
  })
}

export const codeOf = (err: unknown): unknown => (err as { code?: unknown }).code

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}
