import { STAMP_BYTES } from '../crypto/index.js'
import { FrameReader, u32, u8 } from './codec.js'
import { SyncError } from './errors.js'

/**
 * What one pair-log block carries once its envelope is opened (docs/protocol.md §12). A mail fits one
 * block or spans several consecutive ones (64 KiB-scale blocks replicate best on this stack):
 *
 *   whole: version(1) ‖ kind=1 ‖ flags(1) ‖ [stamp(17)] ‖ mail
 *   first: version(1) ‖ kind=2 ‖ flags(1) ‖ [stamp(17)] ‖ parts(4) ‖ total(4) ‖ chunk
 *   next:  version(1) ‖ kind=3 ‖ index(4) ‖ chunk
 *
 * flags bit 0: a proof-of-work stamp follows. A first-contact stamp covers the whole mail.
 */
export const FRAME_VERSION = 1
export const FrameKind = { WHOLE: 1, FIRST: 2, NEXT: 3 } as const

/** Mail bytes per block: with the headers and the envelope a block stays under 64 KiB. */
export const CHUNK_BYTES = 63 * 1024

export type BlockFrame =
  | { kind: 'whole'; stamp?: Buffer; mail: Buffer }
  | { kind: 'first'; stamp?: Buffer; parts: number; total: number; chunk: Buffer }
  | { kind: 'next'; index: number; chunk: Buffer }

/** Splits a mail into the payloads of its blocks. */
export function frameMail(mail: Buffer, stamp?: Buffer): Buffer[] {
  if (stamp && stamp.byteLength !== STAMP_BYTES) throw SyncError.INVALID_ARGUMENT('stamp')
  const head = stamp ? [u8(1), stamp] : [u8(0)]
  if (mail.byteLength <= CHUNK_BYTES) {
    return [Buffer.concat([u8(FRAME_VERSION), u8(FrameKind.WHOLE), ...head, mail])]
  }
  const parts = Math.ceil(mail.byteLength / CHUNK_BYTES)
  const frames = [
    Buffer.concat([
      u8(FRAME_VERSION),
      u8(FrameKind.FIRST),
      ...head,
      u32(parts),
      u32(mail.byteLength),
      mail.subarray(0, CHUNK_BYTES),
    ]),
  ]
  for (let index = 1; index < parts; index++) {
    const chunk = mail.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES)
    frames.push(Buffer.concat([u8(FRAME_VERSION), u8(FrameKind.NEXT), u32(index), chunk]))
  }
  return frames
}

/** Decodes one block payload; throws BAD_FRAME for anything not built by {@link frameMail}. */
export function decodeFrame(payload: Buffer): BlockFrame {
  const reader = new FrameReader(payload, 'pair-log block')
  if (reader.u8() !== FRAME_VERSION) throw SyncError.BAD_FRAME('pair-log block (version)')
  const kind = reader.u8()
  if (kind === FrameKind.NEXT) {
    const index = reader.u32()
    const chunk = reader.rest()
    if (index === 0 || chunk.byteLength === 0 || chunk.byteLength > CHUNK_BYTES)
      throw SyncError.BAD_FRAME('pair-log block (part)')
    return { kind: 'next', index, chunk }
  }
  if (kind !== FrameKind.WHOLE && kind !== FrameKind.FIRST)
    throw SyncError.BAD_FRAME('pair-log block (kind)')
  const flags = reader.u8()
  if (flags > 1) throw SyncError.BAD_FRAME('pair-log block (flags)')
  const stamp = flags === 1 ? Buffer.from(reader.bytesOf(STAMP_BYTES)) : undefined
  if (kind === FrameKind.WHOLE) {
    const mail = reader.rest()
    if (mail.byteLength === 0 || mail.byteLength > CHUNK_BYTES)
      throw SyncError.BAD_FRAME('pair-log block (whole mail size)')
    return stamp ? { kind: 'whole', stamp, mail } : { kind: 'whole', mail }
  }
  const parts = reader.u32()
  const total = reader.u32()
  const chunk = reader.rest()
  if (
    parts < 2 ||
    chunk.byteLength !== CHUNK_BYTES ||
    total <= (parts - 1) * CHUNK_BYTES ||
    total > parts * CHUNK_BYTES
  ) {
    throw SyncError.BAD_FRAME('pair-log block (first part)')
  }
  return stamp
    ? { kind: 'first', stamp, parts, total, chunk }
    : { kind: 'first', parts, total, chunk }
}
