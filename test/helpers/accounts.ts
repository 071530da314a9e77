import {
  deriveAccountKeys,
  generateSeed,
  type AccountKeys,
  type EnvelopeKeyring,
} from '../../src/crypto/index.js'

/** A fresh random account's keys, for tests. */
export function makeAccount(): AccountKeys {
  return deriveAccountKeys(generateSeed())
}

/** The keyring an account opens envelopes with: its long-term key plus any extra (pre)keys. */
export function keyringOf(
  account: AccountKeys,
  ...extra: AccountKeys['encryption'][]
): EnvelopeKeyring {
  const keys = [account.encryption, ...extra]
  return {
    identityPublicKey: account.identity.publicKey,
    findKey: (id) => keys.find((k) => k.keyId.equals(id)),
  }
}

/** The public side a sender seals to. */
export function recipientOf(account: AccountKeys) {
  return {
    identityPublicKey: account.identity.publicKey,
    encryptionPublicKey: account.encryption.publicKey,
  }
}
