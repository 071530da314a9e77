import {
  signStatement,
  verifyStatement,
  SIGNATURE_BYTES,
  type SigningKeyPair,
  STAMP_MAX_DIFFICULTY,
} from '../crypto/index.js'
import { FrameReader, u64, u8 } from './codec.js'
import { SyncError } from './errors.js'
import { MAX_PUBLISHED_PREKEYS, type PublishedPrekey } from './prekeys.js'

/**
 * What an account tells the world about itself, signed by its identity (docs/protocol.md §10): the
 * long-term X25519 key, the prekeys to seal mail to instead (forward secrecy, §14), the proof-of-work it
 * asks of strangers, and the relays that hold mail for it.
 *
 *   version(1) ‖ identity(32) ‖ encryptionKey(32) ‖ stampDifficulty(1) ‖ issuedAt(8) ‖
 *   relayCount(1) ‖ relay(32)* ‖ prekeyCount(1) ‖ (prekey(32) ‖ expiresAt(8))* ‖ signature(64)
 */
export interface Profile {
  identity: Buffer
  encryptionKey: Buffer
  stampDifficulty: number
  issuedAt: number
  relays: Buffer[]
  prekeys: PublishedPrekey[]
}

export const PROFILE_VERSION = 1
const DOMAIN = 'peermail/v1/profile'
const MAX_RELAYS = 8
export const MAX_PROFILE_BYTES =
  1 + 32 + 32 + 1 + 8 + 1 + MAX_RELAYS * 32 + 1 + MAX_PUBLISHED_PREKEYS * 40 + SIGNATURE_BYTES

/** Encodes and signs a profile. */
export function signProfile(profile: Omit<Profile, 'identity'>, identity: SigningKeyPair): Buffer {
  if (profile.relays.length > MAX_RELAYS) throw SyncError.INVALID_ARGUMENT('relay list (at most 8)')
  if (profile.prekeys.length > MAX_PUBLISHED_PREKEYS)
    throw SyncError.INVALID_ARGUMENT(`prekey list (at most ${MAX_PUBLISHED_PREKEYS})`)
  checkDifficulty(profile.stampDifficulty)
  const body = Buffer.concat([
    u8(PROFILE_VERSION),
    identity.publicKey,
    profile.encryptionKey,
    u8(profile.stampDifficulty),
    u64(profile.issuedAt),
    u8(profile.relays.length),
    ...profile.relays,
    u8(profile.prekeys.length),
    ...profile.prekeys.flatMap((p) => [p.publicKey, u64(p.expiresAt)]),
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
  const prekeyCount = reader.u8()
  if (prekeyCount > MAX_PUBLISHED_PREKEYS) throw SyncError.BAD_FRAME('profile (prekeys)')
  const prekeys: PublishedPrekey[] = []
  for (let i = 0; i < prekeyCount; i++) {
    prekeys.push({ publicKey: Buffer.from(reader.bytesOf(32)), expiresAt: reader.u64() })
  }
  const signature = reader.bytesOf(SIGNATURE_BYTES)
  reader.end()
  if (stampDifficulty > STAMP_MAX_DIFFICULTY) throw SyncError.BAD_FRAME('profile (difficulty)')
  const body = bytes.subarray(0, bytes.byteLength - SIGNATURE_BYTES)
  if (!verifyStatement(DOMAIN, [body], signature, identity))
    throw SyncError.BAD_SIGNATURE('profile')
  return { identity, encryptionKey, stampDifficulty, issuedAt, relays, prekeys }
}

function checkDifficulty(difficulty: number): void {
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > STAMP_MAX_DIFFICULTY) {
    throw SyncError.INVALID_ARGUMENT(`stamp difficulty (0-${STAMP_MAX_DIFFICULTY})`)
  }
}

/**
 * The key a sender seals to: the newest prekey still valid, else the long-term key. An expired prekey is
 * never used (its secret may already be gone); a forged one cannot be here, since the profile is signed.
 */
export function sealingKeyOf(profile: Profile, now: number): Buffer {
  let best: PublishedPrekey | undefined
  for (const prekey of profile.prekeys) {
    if (prekey.expiresAt > now && (!best || prekey.expiresAt > best.expiresAt)) best = prekey
  }
  return best?.publicKey ?? profile.encryptionKey
}
