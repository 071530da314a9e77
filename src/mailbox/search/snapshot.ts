import { crc32 } from 'node:zlib'
import { MailboxError } from '../errors.js'
import type { StringColumn } from './strings.js'
import { ByteWriter, VarintReader, type ByteRegion } from './varint.js'

/*
 * The snapshot format (little-endian; "varint" as in varint.ts):
 *
 *   header   'PMSX', version (1 byte), 3 zero bytes, CRC-32 of everything after the header (u32)
 *   counts   docCount, termCount                                  varints
 *   names    folder names, label names                            string tables
 *   docs     ids (string table), flags (1 byte each), folder ids (varints), dates and sizes
 *            (f64 each), label sets (count, then ids; varints)
 *   text     sequence byte length per document (varints), then the sequences (sequences.ts)
 *   terms    texts (string table), ids in text order (varints)
 *   postings byte length per term (varints), then the postings (postings.ts)
 *
 * A string table is a count, the length of each string in UTF-16 code units, then the code units
 * (UTF-16LE, so any JS string comes back exactly). Every length is checked against the bytes left
 * before anything is allocated from it, so a hostile length fails fast instead of allocating
 * gigabytes; the CRC catches accidental damage the structural checks would let through.
 */

const MAGIC = 0x58534d50 // 'PMSX' read as a little-endian u32
/** Format version this code writes and reads. */
export const SNAPSHOT_VERSION = 1
const HEADER_BYTES = 12

/**
 * Everything a snapshot holds, as plain columns; `R` is how the large regions (sequences,
 * postings, the code units of ids and terms) come.
 */
export interface SnapshotParts<R> {
  folderNames: readonly string[]
  labelNames: readonly string[]
  ids: StringColumn<R>
  flags: Uint8Array
  folder: Uint32Array
  date: Float64Array
  size: Float64Array
  labels: (readonly number[] | undefined)[]
  sequenceLengths: Uint32Array
  sequences: R
  terms: StringColumn<R>
  sortedTerms: Uint32Array
  postingLengths: Uint32Array
  postings: R
}

/** Encodes a snapshot. */
export function writeSnapshot(parts: SnapshotParts<ByteRegion>): Buffer {
  const docCount = parts.ids.lengths.length
  const head = new ByteWriter(1 << 16)
  head.varint(docCount)
  head.varint(parts.terms.lengths.length)
  writeStrings(head, parts.folderNames)
  writeStrings(head, parts.labelNames)
  writeColumn(head, parts.ids)
  head.bytes(parts.flags)
  for (const id of parts.folder) head.varint(id)
  for (const date of parts.date) head.f64(date)
  for (const size of parts.size) head.f64(size)
  for (let doc = 0; doc < docCount; doc++) {
    const labels = parts.labels[doc] ?? []
    head.varint(labels.length)
    for (const label of labels) head.varint(label)
  }
  for (const length of parts.sequenceLengths) head.varint(length)
  const middle = new ByteWriter(1 << 16)
  writeColumn(middle, parts.terms)
  for (const id of parts.sortedTerms) middle.varint(id)
  for (const length of parts.postingLengths) middle.varint(length)
  const size =
    HEADER_BYTES + head.length + parts.sequences.length + middle.length + parts.postings.length
  const out = Buffer.alloc(size)
  out.writeUInt32LE(MAGIC, 0)
  out[4] = SNAPSHOT_VERSION
  let at = HEADER_BYTES
  out.set(head.view(), at)
  at += head.length
  parts.sequences.copyTo(out, at)
  at += parts.sequences.length
  out.set(middle.view(), at)
  at += middle.length
  parts.postings.copyTo(out, at)
  out.writeUInt32LE(crc32(out.subarray(HEADER_BYTES)), 8)
  return out
}

/**
 * Decodes a snapshot's structure: checks the header, the CRC, that every count fits in the bytes
 * left and that nothing is left over. The large regions are views of `snapshot`, not copies: they
 * are most of its bytes, and copying them would hold the index twice while it is restored, the
 * peak of an open. The contents (term order, sequences, postings, document columns) are checked by
 * the stores they are handed to. Throws CORRUPT.
 */
export function readSnapshot(snapshot: Uint8Array): SnapshotParts<Uint8Array> {
  if (!(snapshot instanceof Uint8Array)) throw corrupt('not a buffer')
  const buffer = Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength)
  if (buffer.length < HEADER_BYTES || buffer.readUInt32LE(0) !== MAGIC) {
    throw corrupt('not a search index snapshot')
  }
  if (buffer[4] !== SNAPSHOT_VERSION || buffer.readUIntLE(5, 3) !== 0) {
    throw corrupt(`unsupported snapshot version ${buffer[4] ?? 0}`)
  }
  if (crc32(buffer.subarray(HEADER_BYTES)) !== buffer.readUInt32LE(8)) {
    throw corrupt('checksum mismatch')
  }
  const input = new Input(buffer, HEADER_BYTES)
  const docCount = input.count(1)
  const termCount = input.count(1)
  const folderNames = input.strings()
  const labelNames = input.strings()
  const ids = input.column(docCount)
  const flags = new Uint8Array(input.bytes(docCount))
  const folder = input.varints(docCount)
  const date = input.f64s(docCount)
  const size = input.f64s(docCount)
  const labels = new Array<readonly number[] | undefined>(docCount)
  for (let doc = 0; doc < docCount; doc++) {
    const count = input.count(1)
    if (count > 0) labels[doc] = Array.from(input.varints(count))
  }
  const sequenceLengths = input.varints(docCount)
  const sequences = input.view(sum(sequenceLengths))
  const terms = input.column(termCount)
  const sortedTerms = input.varints(termCount)
  const postingLengths = input.varints(termCount)
  const postings = input.view(sum(postingLengths))
  if (input.pos !== buffer.length) throw corrupt('bytes left over at the end')
  return {
    ...{ folderNames, labelNames, ids, flags, folder, date, size, labels },
    ...{ sequenceLengths, sequences, terms, sortedTerms, postingLengths, postings },
  }
}

function corrupt(why: string): MailboxError {
  return MailboxError.CORRUPT(`search snapshot: ${why}`)
}

function sum(values: Uint32Array): number {
  let total = 0
  for (const value of values) total += value
  return total
}

function writeStrings(out: ByteWriter, strings: readonly string[]): void {
  out.varint(strings.length)
  for (const text of strings) out.varint(text.length)
  for (const text of strings) out.bytes(Buffer.from(text, 'utf16le'))
}

/** The same string table as {@link writeStrings}, from a column. */
function writeColumn(out: ByteWriter, column: StringColumn<ByteRegion>): void {
  out.varint(column.lengths.length)
  for (const length of column.lengths) out.varint(length)
  out.region(column.units)
}

/** A bounds-checked cursor over the snapshot; every failure is CORRUPT. */
class Input {
  private readonly reader: VarintReader

  constructor(
    private readonly buffer: Buffer,
    start: number,
  ) {
    this.reader = new VarintReader(buffer, start)
  }

  get pos(): number {
    return this.reader.pos
  }

  /** Fails unless `n` more bytes are there. */
  need(n: number): void {
    if (n > this.buffer.length - this.reader.pos) throw corrupt('truncated')
  }

  varint(): number {
    const value = this.reader.next()
    if (value < 0) throw corrupt('truncated or malformed number')
    return value
  }

  /** A count of things that take at least `bytesEach` bytes each, checked to fit. */
  count(bytesEach: number): number {
    const n = this.varint()
    this.need(n * bytesEach)
    return n
  }

  varints(n: number): Uint32Array {
    this.need(n)
    const values = new Uint32Array(n)
    for (let i = 0; i < n; i++) values[i] = this.varint()
    return values
  }

  /** `n` doubles, little-endian. */
  f64s(n: number): Float64Array {
    this.need(n * 8)
    const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + this.reader.pos, n * 8)
    const values = new Float64Array(n)
    for (let i = 0; i < n; i++) values[i] = view.getFloat64(i * 8, true)
    this.reader.pos += n * 8
    return values
  }

  bytes(n: number): Uint8Array {
    this.need(n)
    const start = this.reader.pos
    this.reader.pos += n
    return this.buffer.subarray(start, start + n)
  }

  /**
   * {@link bytes} as a plain Uint8Array rather than a Buffer, so that the stores' decoding loops,
   * which also read buffers of their own, see one kind of array.
   */
  view(n: number): Uint8Array {
    const bytes = this.bytes(n)
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
  }

  /** A string table, decoded (the short ones: folder and label names). */
  strings(): string[] {
    const { lengths, units } = this.column()
    const all = Buffer.from(units.buffer, units.byteOffset, units.length).toString('utf16le')
    const strings = new Array<string>(lengths.length)
    let at = 0
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i] ?? 0
      strings[i] = all.slice(at, at + length)
      at += length
    }
    return strings
  }

  /** A string table as it is stored; with `expected`, it must hold that many strings. */
  column(expected?: number): StringColumn<Uint8Array> {
    const n = this.count(1)
    if (expected !== undefined && n !== expected) throw corrupt('a table has the wrong length')
    const lengths = this.varints(n)
    return { lengths, units: this.view(sum(lengths) * 2) }
  }
}
