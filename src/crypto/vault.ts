import sodium from 'sodium-native'
import { asBuffer, randomBytes, wipe } from './bytes.js'
import { CryptoError } from './errors.js'

/**
 * Secrets at rest, locked by a passphrase: Argon2id (libsodium `crypto_pwhash`) stretches the passphrase
 * into a key for XChaCha20-Poly1305. The KDF parameters travel in the clear header, which is also the
 * AEAD's associated data, so they can be raised later without a format change and cannot be altered
 * undetected. Layout: docs/protocol.md §5.
 */
export interface VaultParams {
  /** Argon2id passes (libsodium opslimit). */
  opsLimit: number
  /** Argon2id memory in bytes (libsodium memlimit). */
  memLimit: number
}

/** libsodium's "moderate" limits (3 passes, 256 MiB): about a second here, per unlock. */
export const VAULT_PARAMS_MODERATE: VaultParams = {
  opsLimit: sodium.crypto_pwhash_OPSLIMIT_MODERATE,
  memLimit: sodium.crypto_pwhash_MEMLIMIT_MODERATE,
}

/** libsodium's "interactive" limits (2 passes, 64 MiB), the least a real account should use. */
export const VAULT_PARAMS_INTERACTIVE: VaultParams = {
  opsLimit: sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE,
  memLimit: sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE,
}

const MAGIC = Buffer.from('PMVT')
const VERSION = 1
const SALT_BYTES = sodium.crypto_pwhash_SALTBYTES
const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
const TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES
/** magic(4) ‖ version(1) ‖ alg(1) ‖ opslimit(4) ‖ memlimit(4) ‖ salt(16) ‖ nonce(24) */
export const VAULT_HEADER_BYTES = 4 + 1 + 1 + 4 + 4 + SALT_BYTES + NONCE_BYTES
// Bounds on stored parameters, so a damaged or hostile file cannot make unlocking take minutes or GiBs.
const MAX_OPS = 16
const MAX_MEM = 1024 * 1024 * 1024
const MAX_SECRET = 1024 * 1024

/** Encrypts `secret` under `passphrase`. Runs Argon2id off the main thread. */
export async function lockSecret(
  secret: Uint8Array,
  passphrase: string,
  params: VaultParams = VAULT_PARAMS_MODERATE,
  random: (n: number) => Buffer = randomBytes,
): Promise<Buffer> {
  if (!(secret instanceof Uint8Array) || secret.byteLength > MAX_SECRET) {
    throw CryptoError.INVALID_ARGUMENT('vault secret must be bytes, at most 1 MiB')
  }
  checkParams(params, (reason) => CryptoError.INVALID_ARGUMENT(reason))
  const header = Buffer.alloc(VAULT_HEADER_BYTES)
  MAGIC.copy(header, 0)
  header[4] = VERSION
  header[5] = sodium.crypto_pwhash_ALG_ARGON2ID13
  header.writeUInt32BE(params.opsLimit, 6)
  header.writeUInt32BE(params.memLimit, 10)
  random(SALT_BYTES).copy(header, 14)
  random(NONCE_BYTES).copy(header, 14 + SALT_BYTES)

  const key = await stretch(passphrase, header)
  const out = Buffer.alloc(VAULT_HEADER_BYTES + secret.byteLength + TAG_BYTES)
  header.copy(out)
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    out.subarray(VAULT_HEADER_BYTES),
    secret,
    header,
    null,
    nonceOf(header),
    key,
  )
  wipe(key)
  return out
}

/** Decrypts a vault blob. Wrong passphrase → VAULT_WRONG_PASSPHRASE; damaged header → VAULT_CORRUPT. */
export async function unlockSecret(vault: Uint8Array, passphrase: string): Promise<Buffer> {
  const blob = asBuffer(vault)
  if (blob.byteLength < VAULT_HEADER_BYTES + TAG_BYTES) throw CryptoError.VAULT_CORRUPT('too short')
  const header = blob.subarray(0, VAULT_HEADER_BYTES)
  if (!header.subarray(0, 4).equals(MAGIC)) throw CryptoError.VAULT_CORRUPT('not a Peermail vault')
  if (header[4] !== VERSION) throw CryptoError.VAULT_CORRUPT(`unsupported version ${header[4]}`)
  if (header[5] !== sodium.crypto_pwhash_ALG_ARGON2ID13)
    throw CryptoError.VAULT_CORRUPT('unknown KDF')
  checkParams(vaultParams(header), (reason) => CryptoError.VAULT_CORRUPT(reason))

  const key = await stretch(passphrase, header)
  const secret = Buffer.alloc(blob.byteLength - VAULT_HEADER_BYTES - TAG_BYTES)
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      secret,
      null,
      blob.subarray(VAULT_HEADER_BYTES),
      header,
      nonceOf(header),
      key,
    )
    return secret
  } catch {
    throw CryptoError.VAULT_WRONG_PASSPHRASE()
  } finally {
    wipe(key)
  }
}

/** The Argon2id parameters a vault blob was locked with. */
export function vaultParams(vault: Uint8Array): VaultParams {
  const blob = asBuffer(vault)
  if (blob.byteLength < VAULT_HEADER_BYTES) throw CryptoError.VAULT_CORRUPT('too short')
  return { opsLimit: blob.readUInt32BE(6), memLimit: blob.readUInt32BE(10) }
}

async function stretch(passphrase: string, header: Buffer): Promise<Buffer> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw CryptoError.INVALID_ARGUMENT('passphrase must be a non-empty string')
  }
  // NFC so the same passphrase typed on another system (composed vs decomposed accents) still opens.
  const password = Buffer.from(passphrase.normalize('NFC'), 'utf8')
  const key = Buffer.alloc(sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
  const { opsLimit, memLimit } = vaultParams(header)
  try {
    await sodium.crypto_pwhash_async(
      key,
      password,
      header.subarray(14, 14 + SALT_BYTES),
      opsLimit,
      memLimit,
      sodium.crypto_pwhash_ALG_ARGON2ID13,
    )
  } finally {
    wipe(password)
  }
  return key
}

function nonceOf(header: Buffer): Buffer {
  return header.subarray(14 + SALT_BYTES, 14 + SALT_BYTES + NONCE_BYTES)
}

function checkParams(params: VaultParams, fail: (reason: string) => CryptoError): void {
  const { opsLimit, memLimit } = params
  if (
    !Number.isInteger(opsLimit) ||
    !Number.isInteger(memLimit) ||
    opsLimit < sodium.crypto_pwhash_OPSLIMIT_MIN ||
    opsLimit > MAX_OPS ||
    memLimit < sodium.crypto_pwhash_MEMLIMIT_MIN ||
    memLimit > MAX_MEM
  ) {
    throw fail(`Argon2id parameters out of range (ops ${opsLimit}, mem ${memLimit})`)
  }
}
