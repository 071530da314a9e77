import { blake2b, constantTimeEqual, randomBytes } from './bytes.js'

/** Domain separation for the stored digest: it is never the digest of anything else. */
const DIGEST_KEY = Buffer.from('peermail app password v1')
const PASSWORD_BYTES = 16

/**
 * A password Peermail generates for a program that logs in as the account (a mail client submitting
 * mail over SMTP AUTH), and the digest to keep in its place. The password is 128 random bits, not
 * something a person chose, so a fast keyed hash is enough to store it: there is nothing to guess, and
 * a slow hash (Argon2id, as for the passphrase) would only slow every login down.
 */
export function newAppPassword(): { password: string; digest: string } {
  const hex = randomBytes(PASSWORD_BYTES).toString('hex')
  const password = hex.match(/.{8}/g)?.join('-') ?? hex
  return { password, digest: appPasswordDigest(password) }
}

/** The stored form of an app password: 64 hex digits. */
export function appPasswordDigest(password: string): string {
  return blake2b(32, [Buffer.from(password, 'utf8')], DIGEST_KEY).toString('hex')
}

/** Whether `candidate` is the password whose digest is `digest`, in time independent of where they differ. */
export function appPasswordMatches(digest: string, candidate: string): boolean {
  const expected = Buffer.from(digest, 'hex')
  if (expected.byteLength !== 32) return false
  return constantTimeEqual(expected, Buffer.from(appPasswordDigest(candidate), 'hex'))
}
