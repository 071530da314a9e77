import {
  openEnvelope,
  sealEnvelope,
  type EnvelopeKeyring,
  type EnvelopeRecipient,
  type SigningKeyPair,
} from '../crypto/index.js'
import { u64 } from './codec.js'

/**
 * Pair-log blocks are envelopes (docs/protocol.md §4) bound to where they sit: the context is the log's
 * key and the block's position, so a block copied into another log, moved within its log, or re-addressed
 * to someone else does not open.
 */
const CONTEXT_DOMAIN = Buffer.from('peermail/v1/pair-log-block')

/** Largest block payload we seal or open (a frame of one chunk with its headers). */
export const MAX_BLOCK_PAYLOAD_BYTES = 64 * 1024

export function blockContext(logKey: Buffer, seq: number): Buffer {
  return Buffer.concat([CONTEXT_DOMAIN, logKey, u64(seq)])
}

/** Seals one block payload for position `seq` of the log `logKey`. */
export function sealBlock(
  payload: Buffer,
  where: { logKey: Buffer; seq: number },
  sender: SigningKeyPair,
  recipient: EnvelopeRecipient,
): Buffer {
  return sealEnvelope(payload, sender, recipient, {
    context: blockContext(where.logKey, where.seq),
    maxPayloadBytes: MAX_BLOCK_PAYLOAD_BYTES,
  })
}

/** Opens the block at `seq` of `logKey`, written by `sender`; throws ENVELOPE_OPEN_FAILED otherwise. */
export function openBlock(
  block: Buffer,
  where: { logKey: Buffer; seq: number },
  sender: Buffer,
  keyring: EnvelopeKeyring,
): Buffer {
  return openEnvelope(block, keyring, {
    sender,
    context: blockContext(where.logKey, where.seq),
    maxPayloadBytes: MAX_BLOCK_PAYLOAD_BYTES,
  })
}
