// sodium-native ships no types: only the functions and constants Peermail uses are declared here.
declare module 'sodium-native' {
  type Buf = Buffer | Uint8Array

  export const crypto_sign_PUBLICKEYBYTES: number
  export const crypto_sign_SECRETKEYBYTES: number
  export const crypto_sign_SEEDBYTES: number
  export const crypto_sign_BYTES: number
  export const crypto_scalarmult_BYTES: number
  export const crypto_scalarmult_SCALARBYTES: number
  export const crypto_kdf_KEYBYTES: number
  export const crypto_kdf_CONTEXTBYTES: number
  export const crypto_generichash_BYTES: number
  export const crypto_generichash_BYTES_MIN: number
  export const crypto_generichash_BYTES_MAX: number
  export const crypto_generichash_KEYBYTES: number
  export const crypto_hash_sha256_BYTES: number
  export const crypto_hash_sha512_BYTES: number
  export const crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number
  export const crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number
  export const crypto_aead_xchacha20poly1305_ietf_ABYTES: number
  export const crypto_pwhash_ALG_ARGON2ID13: number
  export const crypto_pwhash_SALTBYTES: number
  export const crypto_pwhash_OPSLIMIT_MIN: number
  export const crypto_pwhash_OPSLIMIT_INTERACTIVE: number
  export const crypto_pwhash_OPSLIMIT_MODERATE: number
  export const crypto_pwhash_OPSLIMIT_SENSITIVE: number
  export const crypto_pwhash_MEMLIMIT_MIN: number
  export const crypto_pwhash_MEMLIMIT_INTERACTIVE: number
  export const crypto_pwhash_MEMLIMIT_MODERATE: number
  export const crypto_pwhash_MEMLIMIT_SENSITIVE: number

  export function randombytes_buf(buf: Buf): void
  export function sodium_memzero(buf: Buf): void
  export function sodium_malloc(size: number): Buffer & { secure: boolean }
  export function sodium_memcmp(a: Buf, b: Buf): boolean

  export function crypto_sign_seed_keypair(pk: Buf, sk: Buf, seed: Buf): void
  export function crypto_sign_keypair(pk: Buf, sk: Buf): void
  export function crypto_sign_detached(sig: Buf, m: Buf, sk: Buf): void
  export function crypto_sign_verify_detached(sig: Buf, m: Buf, pk: Buf): boolean
  export function crypto_sign_ed25519_pk_to_curve25519(x25519pk: Buf, ed25519pk: Buf): void

  export function crypto_scalarmult_base(q: Buf, n: Buf): void
  /** Throws when the result is all zeros (a low-order point). */
  export function crypto_scalarmult(q: Buf, n: Buf, p: Buf): void

  export function crypto_kdf_derive_from_key(
    subkey: Buf,
    subkeyId: number,
    ctx: Buf,
    key: Buf,
  ): void
  export function crypto_generichash(out: Buf, input: Buf, key?: Buf): void
  export function crypto_generichash_batch(out: Buf, inputs: Buf[], key?: Buf): void
  export function crypto_hash_sha256(out: Buf, input: Buf): void
  export function crypto_hash_sha512(out: Buf, input: Buf): void

  /** Returns the number of bytes written to `c`. */
  export function crypto_aead_xchacha20poly1305_ietf_encrypt(
    c: Buf,
    m: Buf,
    ad: Buf | null,
    nsec: null,
    npub: Buf,
    k: Buf,
  ): number
  /** Returns the number of bytes written to `m`; throws when authentication fails. */
  export function crypto_aead_xchacha20poly1305_ietf_decrypt(
    m: Buf,
    nsec: null,
    c: Buf,
    ad: Buf | null,
    npub: Buf,
    k: Buf,
  ): number

  export const crypto_box_SEALBYTES: number
  export const crypto_box_PUBLICKEYBYTES: number
  export const crypto_box_SECRETKEYBYTES: number
  export function crypto_box_keypair(pk: Buf, sk: Buf): void
  export function crypto_box_seal(c: Buf, m: Buf, pk: Buf): void
  /** Throws when the box cannot be opened. */
  export function crypto_box_seal_open(m: Buf, c: Buf, pk: Buf, sk: Buf): void

  export function crypto_pwhash(
    out: Buf,
    passwd: Buf,
    salt: Buf,
    opslimit: number,
    memlimit: number,
    alg: number,
  ): void
  export function crypto_pwhash_async(
    out: Buf,
    passwd: Buf,
    salt: Buf,
    opslimit: number,
    memlimit: number,
    alg: number,
  ): Promise<void>
}
