import { randomBytes } from './bytes.js'
import { SEED_BYTES } from './phrase.js'

/** A new account seed: 32 bytes from the OS CSPRNG. Show it once, as its recovery phrase. */
export function generateSeed(): Buffer {
  return randomBytes(SEED_BYTES)
}
