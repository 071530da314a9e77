import {
  signStatement,
  verifyStatement,
  SIGNATURE_BYTES,
  type SigningKeyPair,
  STAMP_MAX_DIFFICULTY,
} from '../crypto/index.js'
import { FrameReader, u64, u8 } from './codec.js'
import { SyncError } from './errors.js'

/**
 * What an account tells the world about itself, signed by its identity (docs/protocol.md §10): the
 * X25519 key to seal mail to, the proof-of-work it asks of strangers, and (later) its relays.
 *
 *   version(1) ‖ identity(32) ‖ encryptionKey(32) ‖ stampDifficulty(1) ‖ issuedAt(8) ‖
 *   relayCount(1) ‖ relay(32)* ‖ signature(64)
 */
export interface Profile {
  identity: Buffer
  encryptionKey: Buffer
  stampDifficulty: number
  issuedAt: number
  relays: Buffer[]
}

export const PROFILE_VERSION = 1
const DOMAIN = 'peermail/v1/profile'
const MAX_RELAYS = 8
export const MAX_PROFILE_BYTES = 1 + 32 + 32 + 1 + 8 + 1 + MAX_RELAYS * 32 + SIGNATURE_BYTES

/** Encodes and signs a profile. */
export function signProfile(profile: Omit<Profile, 'identity'>, identity: SigningKeyPair): Buffer {
  if (profile.relays.length > MAX_RELAYS) throw SyncError.INVALID_ARGUMENT('relay list (at most 8)')
  checkDifficulty(profile.stampDifficulty)
  const body = Buffer.concat([
    u8(PROFILE_VERSION),
    identity.publicKey,
    profile.encryptionKey,
    u8(profile.stampDifficulty),
    u64(profile.issuedAt),
    u8(profile.relays.length),
    ...profile.relays,
  ])
  return Buffer.concat([body, signStatement(DOMAIN, [body], identity)])
}

/** Decodes a profile and checks its signature; throws BAD_FRAME or BAD_SIGNATURE. */
export function openProfile(bytes: Buffer): Profile {
  if (bytes.byteLength > MAX_PROFILE_BYTES) throw SyncError.BAD_FRAME('profile')
  const reader = new FrameReader(bytes, 'profile')
  if (reader.u8() !== PROFILE_VERSION) throw SyncError.BAD_FRAME('profile (version)')
  const identity = Buffer.from(reader.bytesOf(32))
  const encryptionKey = Buffer.from(reader.bytesOf(32))
  const stampDifficulty = reader.u8()
  const issuedAt = reader.u64()
  const relayCount = reader.u8()
  if (relayCount > MAX_RELAYS) throw SyncError.BAD_FRAME('profile (relays)')
  const relays: Buffer[] = []
  for (let i = 0; i < relayCount; i++) relays.push(Buffer.from(reader.bytesOf(32)))
  const signature = reader.bytesOf(SIGNATURE_BYTES)
  reader.end()
  if (stampDifficulty > STAMP_MAX_DIFFICULTY) throw SyncError.BAD_FRAME('profile (difficulty)')
  const body = bytes.subarray(0, bytes.byteLength - SIGNATURE_BYTES)
  if (!verifyStatement(DOMAIN, [body], signature, identity))
    throw SyncError.BAD_SIGNATURE('profile')
  return { identity, encryptionKey, stampDifficulty, issuedAt, relays }
}

function checkDifficulty(difficulty: number): void {
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > STAMP_MAX_DIFFICULTY) {
    throw SyncError.INVALID_ARGUMENT(`stamp difficulty (0-${STAMP_MAX_DIFFICULTY})`)
  }
}
