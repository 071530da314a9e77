import { SyncError } from './errors.js'

/**
 * A bounds-checked reader for the binary frames peers send. Every read checks the remaining length, so a
 * short or padded frame fails with BAD_FRAME naming what was being read, never with a RangeError.
 */
export class FrameReader {
  private offset = 0

  constructor(
    private readonly bytes: Buffer,
    private readonly what: string,
  ) {}

  u8(): number {
    return this.take(1).readUInt8(0)
  }

  u16(): number {
    return this.take(2).readUInt16BE(0)
  }

  u32(): number {
    return this.take(4).readUInt32BE(0)
  }

  /** A 64-bit unsigned integer that must fit a JavaScript number exactly. */
  u64(): number {
    const value = this.take(8).readBigUInt64BE(0)
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw SyncError.BAD_FRAME(this.what)
    return Number(value)
  }

  bytesOf(length: number): Buffer {
    return this.take(length)
  }

  /** Everything not read yet. */
  rest(): Buffer {
    return this.take(this.bytes.byteLength - this.offset)
  }

  /** Throws unless every byte was read (trailing bytes are a malformed frame, not an extension). */
  end(): void {
    if (this.offset !== this.bytes.byteLength) throw SyncError.BAD_FRAME(this.what)
  }

  private take(length: number): Buffer {
    if (length < 0 || this.offset + length > this.bytes.byteLength)
      throw SyncError.BAD_FRAME(this.what)
    const out = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    return out
  }
}

export function u8(n: number): Buffer {
  return Buffer.from([n])
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}
