import {
  SIGNATURE_BYTES,
  signStatement,
  verifyStatement,
  type SigningKeyPair,
} from '../crypto/index.js'
import { FrameReader, u16, u64, u8 } from './codec.js'
import { SyncError } from './errors.js'
import { MAX_PROFILE_BYTES } from './profile.js'

/**
 * The messages of the `peermail/1` Protomux channel (docs/protocol.md §11). Each is a fixed binary layout
 * with a hard size bound; anything else is BAD_FRAME and costs the sender its connection.
 */
export const CHANNEL_PROTOCOL = 'peermail/1'

/** Largest frame any channel message may be. */
export const MAX_CHANNEL_FRAME_BYTES = 16 * 1024

/** Why a recipient refused a message in a pair log. */
export const RejectCode = {
  /** An unknown sender's mail without a good enough proof-of-work stamp. */
  STAMP_REQUIRED: 1,
  TOO_LARGE: 2,
  /** The blocks do not open or do not form a message. */
  MALFORMED: 3,
  /** The From header names someone other than the log's owner. */
  FROM_MISMATCH: 4,
  /** The recipient does not take mail from this sender. */
  REFUSED: 5,
} as const
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode]
const REJECT_CODES = new Set<number>(Object.values(RejectCode))

/** `hello`: the sender's signed profile, and whether it takes the other side's mail without a stamp. */
export interface Hello {
  profile: Buffer
  knowsYou: boolean
}

/** `offer`: "this log carries my mail to you", signed; `ackedUpTo` is how far the sender has heard acks. */
export interface Offer {
  logKey: Buffer
  ackedUpTo: number
  signature: Buffer
}

/** One refused message: the last block it occupied, why, and the difficulty asked for (stamps). */
export interface Rejection {
  seq: number
  code: RejectCode
  difficulty: number
}

/** `ack`: every block below `length` has been handled; `rejected` lists the refused ones. */
export interface Ack {
  logKey: Buffer
  length: number
  rejected: Rejection[]
}

/**
 * An ack as received: signed by the recipient, so a relay can carry it to the sender unchanged and the
 * sender can tell a relay's word from the recipient's.
 */
export interface SignedAck extends Ack {
  signature: Buffer
  body: Buffer
}

export const MAX_REJECTIONS_PER_ACK = 500
const OFFER_DOMAIN = 'peermail/v1/pair-offer'
const ACK_DOMAIN = 'peermail/v1/ack'

export function encodeHello(hello: Hello): Buffer {
  return Buffer.concat([u8(hello.knowsYou ? 1 : 0), hello.profile])
}

export function decodeHello(frame: Buffer): Hello {
  const reader = new FrameReader(frame, 'hello')
  const flags = reader.u8()
  if (flags > 1) throw SyncError.BAD_FRAME('hello (flags)')
  const profile = Buffer.from(reader.rest())
  if (profile.byteLength > MAX_PROFILE_BYTES) throw SyncError.BAD_FRAME('hello (profile size)')
  return { knowsYou: flags === 1, profile }
}

/** Signs the statement that `logKey` is `sender`'s pair log to `recipient`. */
export function signOffer(logKey: Buffer, sender: SigningKeyPair, recipient: Buffer): Buffer {
  return signStatement(OFFER_DOMAIN, [logKey, sender.publicKey, recipient], sender)
}

export function verifyOffer(offer: Offer, sender: Buffer, recipient: Buffer): boolean {
  return verifyStatement(OFFER_DOMAIN, [offer.logKey, sender, recipient], offer.signature, sender)
}

export function encodeOffer(offer: Offer): Buffer {
  return Buffer.concat([offer.logKey, u64(offer.ackedUpTo), offer.signature])
}

export function decodeOffer(frame: Buffer): Offer {
  const reader = new FrameReader(frame, 'offer')
  const logKey = Buffer.from(reader.bytesOf(32))
  const ackedUpTo = reader.u64()
  const signature = Buffer.from(reader.bytesOf(SIGNATURE_BYTES))
  reader.end()
  return { logKey, ackedUpTo, signature }
}

/** Encodes and signs an ack: body ‖ signature(64) over statement("peermail/v1/ack", [body]). */
export function encodeAck(ack: Ack, recipient: SigningKeyPair): Buffer {
  if (ack.rejected.length > MAX_REJECTIONS_PER_ACK) throw SyncError.INVALID_ARGUMENT('ack size')
  const parts = [ack.logKey, u64(ack.length), u16(ack.rejected.length)]
  for (const r of ack.rejected) parts.push(u64(r.seq), u8(r.code), u8(r.difficulty))
  const body = Buffer.concat(parts)
  return Buffer.concat([body, signStatement(ACK_DOMAIN, [body], recipient)])
}

/** True when the ack was signed by `recipient` (the owner of the mailbox the log delivers to). */
export function verifyAck(ack: SignedAck, recipient: Buffer): boolean {
  return verifyStatement(ACK_DOMAIN, [ack.body], ack.signature, recipient)
}

export function decodeAck(frame: Buffer): SignedAck {
  const reader = new FrameReader(frame, 'ack')
  const logKey = Buffer.from(reader.bytesOf(32))
  const length = reader.u64()
  const count = reader.u16()
  if (count > MAX_REJECTIONS_PER_ACK) throw SyncError.BAD_FRAME('ack (rejections)')
  const rejected: Rejection[] = []
  for (let i = 0; i < count; i++) {
    const seq = reader.u64()
    const code = reader.u8()
    const difficulty = reader.u8()
    if (!REJECT_CODES.has(code) || seq >= length) throw SyncError.BAD_FRAME('ack (rejection)')
    rejected.push({ seq, code: code as RejectCode, difficulty })
  }
  const body = Buffer.from(frame.subarray(0, frame.byteLength - SIGNATURE_BYTES))
  const signature = Buffer.from(reader.bytesOf(SIGNATURE_BYTES))
  reader.end()
  return { logKey, length, rejected, signature, body }
}
