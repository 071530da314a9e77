import {
  SIGNATURE_BYTES,
  signStatement,
  verifyStatement,
  type SigningKeyPair,
} from '../crypto/index.js'
import { FrameReader, u64, u8 } from './codec.js'
import { SyncError } from './errors.js'

/**
 * The `peermail-relay/1` channel between an account and a relay (docs/protocol.md §15). Like
 * `peermail/1`, every message is a fixed binary layout with a hard size bound.
 */
export const RELAY_PROTOCOL = 'peermail-relay/1'

/** Why a relay said no. */
export const RelayRefusal = {
  NOT_REGISTERED: 1,
  FULL: 2,
  BAD_REQUEST: 3,
} as const
export type RelayRefusal = (typeof RelayRefusal)[keyof typeof RelayRefusal]
const REFUSALS = new Set<number>(Object.values(RelayRefusal))

/** `register`: "hold mail for me", signed by the account for this relay, fresh. */
export interface Register {
  issuedAt: number
  signature: Buffer
}

/**
 * `deposit`: "hold my pair log to `recipient`, blocks `from` (what the recipient has acknowledged) up to
 * at least `length`", with the sender's signed offer.
 */
export interface Deposit {
  recipient: Buffer
  logKey: Buffer
  from: number
  length: number
  signature: Buffer
}

/** `offer` (relay → recipient): a log held for the recipient, with its sender's signed offer. */
export interface RelayedOffer {
  sender: Buffer
  logKey: Buffer
  signature: Buffer
}

const REGISTER_DOMAIN = 'peermail/v1/relay-register'

export function signRegister(account: SigningKeyPair, relay: Buffer, issuedAt: number): Register {
  return {
    issuedAt,
    signature: signStatement(REGISTER_DOMAIN, [relay, account.publicKey, u64(issuedAt)], account),
  }
}

export function verifyRegister(register: Register, account: Buffer, relay: Buffer): boolean {
  return verifyStatement(
    REGISTER_DOMAIN,
    [relay, account, u64(register.issuedAt)],
    register.signature,
    account,
  )
}

export const relayCodecs = {
  register: {
    encode: (m: Register) => Buffer.concat([u64(m.issuedAt), m.signature]),
    decode: (frame: Buffer): Register => {
      const r = new FrameReader(frame, 'register')
      const out = { issuedAt: r.u64(), signature: Buffer.from(r.bytesOf(SIGNATURE_BYTES)) }
      r.end()
      return out
    },
  },
  registered: {
    encode: (m: { quotaBytes: number; usedBytes: number }) =>
      Buffer.concat([u64(m.quotaBytes), u64(m.usedBytes)]),
    decode: (frame: Buffer) => {
      const r = new FrameReader(frame, 'registered')
      const out = { quotaBytes: r.u64(), usedBytes: r.u64() }
      r.end()
      return out
    },
  },
  deposit: {
    encode: (m: Deposit) =>
      Buffer.concat([m.recipient, m.logKey, u64(m.from), u64(m.length), m.signature]),
    decode: (frame: Buffer): Deposit => {
      const r = new FrameReader(frame, 'deposit')
      const out = {
        recipient: Buffer.from(r.bytesOf(32)),
        logKey: Buffer.from(r.bytesOf(32)),
        from: r.u64(),
        length: r.u64(),
        signature: Buffer.from(r.bytesOf(SIGNATURE_BYTES)),
      }
      r.end()
      if (out.from > out.length) throw SyncError.BAD_FRAME('deposit (range)')
      return out
    },
  },
  held: {
    encode: (m: { logKey: Buffer; length: number }) => Buffer.concat([m.logKey, u64(m.length)]),
    decode: (frame: Buffer) => {
      const r = new FrameReader(frame, 'held')
      const out = { logKey: Buffer.from(r.bytesOf(32)), length: r.u64() }
      r.end()
      return out
    },
  },
  offer: {
    encode: (m: RelayedOffer) => Buffer.concat([m.sender, m.logKey, m.signature]),
    decode: (frame: Buffer): RelayedOffer => {
      const r = new FrameReader(frame, 'relayed offer')
      const out = {
        sender: Buffer.from(r.bytesOf(32)),
        logKey: Buffer.from(r.bytesOf(32)),
        signature: Buffer.from(r.bytesOf(SIGNATURE_BYTES)),
      }
      r.end()
      return out
    },
  },
  refused: {
    encode: (m: { code: RelayRefusal; logKey: Buffer }) => Buffer.concat([u8(m.code), m.logKey]),
    decode: (frame: Buffer) => {
      const r = new FrameReader(frame, 'refused')
      const code = r.u8()
      const logKey = Buffer.from(r.bytesOf(32))
      r.end()
      if (!REFUSALS.has(code)) throw SyncError.BAD_FRAME('refused (code)')
      return { code: code as RelayRefusal, logKey }
    },
  },
}

/** Message types on the relay channel, in Protomux order. The `ack` is the signed §11 ack, unchanged. */
export const RELAY_MESSAGES = [
  'register',
  'registered',
  'deposit',
  'held',
  'offer',
  'ack',
  'refused',
] as const
export type RelayMessage = (typeof RELAY_MESSAGES)[number]
