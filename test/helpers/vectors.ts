import { readFileSync } from 'node:fs'

/** The committed known answers for the crypto core (written by scripts/gen-crypto-vectors.ts). */
export interface CryptoVectors {
  accounts: {
    seed: string
    phrase: string
    identityPublicKey: string
    encryptionSecretKey: string
    encryptionPublicKey: string
    encryptionKeyId: string
    storageKey: string
    corestorePrimaryKey: string
    address: string
  }[]
  safetyNumber: { a: string; b: string; number: string; code: string }
  envelope: {
    senderSeed: string
    recipientSeed: string
    payload: string
    context: string
    ephemeralSecretKey: string
    nonce: string
    envelope: string
  }
  stamp: {
    sender: string
    recipient: string
    message: string
    messageHash: string
    time: number
    difficulty: number
    stamp: string
  }
  vault: { passphrase: string; secret: string; opsLimit: number; memLimit: number; vault: string }
}

export const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/vectors/crypto-v1.json', import.meta.url), 'utf8'),
) as CryptoVectors

export const fromHex = (hex: string): Buffer => Buffer.from(hex, 'hex')
