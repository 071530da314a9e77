/**
 * Writes test/fixtures/vectors/crypto-v1.json: known answers for every derivation and format of the
 * crypto core. Run once when a format is defined (`node --import tsx scripts/gen-crypto-vectors.ts`);
 * afterwards the committed file is the reference, and test/unit/crypto/vectors.test.ts checks both this
 * code and an independent re-implementation of docs/protocol.md against it. Never regenerate to make a
 * failing test pass: a changed vector means every existing account or message would break.
 */
import { writeFileSync } from 'node:fs'
import {
  deriveAccountKeys,
  encodeAddress,
  lockSecret,
  mintStamp,
  safetyCode,
  safetyNumber,
  sealEnvelope,
  seedToPhrase,
  stampMessageHash,
  type RandomSource,
} from '../src/crypto/index.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const seeds = [
  Buffer.alloc(32, 0),
  Buffer.from(Array.from({ length: 32 }, (_, i) => i)),
  Buffer.alloc(32, 0xff),
  Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
]

const accounts = seeds.map((seed) => {
  const keys = deriveAccountKeys(seed)
  return {
    seed: hex(seed),
    phrase: seedToPhrase(seed),
    identityPublicKey: hex(keys.identity.publicKey),
    encryptionSecretKey: hex(keys.encryption.secretKey),
    encryptionPublicKey: hex(keys.encryption.publicKey),
    encryptionKeyId: hex(keys.encryption.keyId),
    storageKey: hex(keys.storageKey),
    corestorePrimaryKey: hex(keys.corestorePrimaryKey),
    address: encodeAddress(keys.identity.publicKey),
  }
})

// Deterministic "randomness" for the known-answer envelope and vault: fixed bytes per call, in order.
function fixedRandom(...chunks: Buffer[]): RandomSource {
  return (n) => {
    const next = chunks.shift()
    if (!next || next.byteLength !== n) throw new Error(`unexpected random request of ${n} bytes`)
    return next
  }
}

const alice = deriveAccountKeys(seeds[1]!)
const bob = deriveAccountKeys(seeds[3]!)
const payload = Buffer.from('From: alice\r\nSubject: hi\r\n\r\nHello, Bob.\r\n')
const context = Buffer.from('pair-log:0')
const ephemeralSecret = Buffer.alloc(32, 0x42)
const nonce = Buffer.alloc(24, 0x24)
const envelope = sealEnvelope(
  payload,
  alice.identity,
  { identityPublicKey: bob.identity.publicKey, encryptionPublicKey: bob.encryption.publicKey },
  // Copies: sealing wipes the ephemeral secret it was given.
  { context, random: fixedRandom(Buffer.from(ephemeralSecret), Buffer.from(nonce)) },
)

const stampSubject = {
  sender: alice.identity.publicKey,
  recipient: bob.identity.publicKey,
  messageHash: stampMessageHash(payload),
}
const stampTime = 1_790_000_000_000
const stamp = mintStamp(stampSubject, 12, stampTime)

const vaultSecret = Buffer.from(seeds[1]!)
const vaultParams = { opsLimit: 1, memLimit: 8192 }
const vault = await lockSecret(
  vaultSecret,
  'correct horse battery staple',
  vaultParams,
  fixedRandom(Buffer.alloc(16, 0x51), Buffer.alloc(24, 0x4e)),
)

const vectors = {
  description: 'Peermail crypto core known answers, format version 1 (docs/protocol.md)',
  accounts,
  safetyNumber: {
    a: hex(alice.identity.publicKey),
    b: hex(bob.identity.publicKey),
    number: safetyNumber(alice.identity.publicKey, bob.identity.publicKey),
    code: safetyCode(alice.identity.publicKey, bob.identity.publicKey),
  },
  envelope: {
    senderSeed: hex(seeds[1]!),
    recipientSeed: hex(seeds[3]!),
    payload: hex(payload),
    context: hex(context),
    ephemeralSecretKey: hex(ephemeralSecret),
    nonce: hex(nonce),
    envelope: hex(envelope),
  },
  stamp: {
    sender: hex(stampSubject.sender),
    recipient: hex(stampSubject.recipient),
    message: hex(payload),
    messageHash: hex(stampSubject.messageHash),
    time: stampTime,
    difficulty: 12,
    stamp: hex(stamp),
  },
  vault: {
    passphrase: 'correct horse battery staple',
    secret: hex(vaultSecret),
    opsLimit: vaultParams.opsLimit,
    memLimit: vaultParams.memLimit,
    vault: hex(vault),
  },
}

writeFileSync(
  new URL('../test/fixtures/vectors/crypto-v1.json', import.meta.url),
  JSON.stringify(vectors, null, 2) + '\n',
)
console.log('wrote test/fixtures/vectors/crypto-v1.json')
