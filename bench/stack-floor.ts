/**
 * The per-mail work that Peermail's design requires of the layers beneath it, done straight on the
 * libraries, for the delivery and relay benchmarks' stack floors: a sender composes each mail with
 * nodemailer's composer (as `send()` does) and seals it as a pair-log block for its position; a recipient
 * opens each block with its keys and parses the mail with mailparser in its worker thread. No mailbox,
 * engine, protocol or bookkeeping.
 *
 * Raw replication of the blocks, plus this work, is the least any implementation of the design could take
 * on this machine: the stack's share of the gap between Peermail and raw replication, beside Peermail's own.
 */
import type Hypercore from 'hypercore'
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import {
  generateEncryptionKeyPair,
  randomBytes,
  signingKeyPairFromSeed,
  type EncryptionKeyPair,
} from '../src/crypto/index.js'
import { createMimeParser } from '../src/mailbox/index.js'
import { decodeFrame, frameMail } from '../src/sync/frames.js'
import { openBlock, sealBlock } from '../src/sync/pair-log.js'
import { textOf } from './loopback.js'

/** Blocks the reader takes at a time (as the account's ingest reads batches of 64 mails). */
const READ_BATCH = 64

export interface StackFloorWork {
  /** Composes a mail with `bodyBytes` of text and seals it as the block at `seq` of the log `logKey`. */
  sealMail(logKey: Buffer, seq: number, bodyBytes: number): Promise<Buffer>
  /**
   * Reads blocks `from..to` of `reader` (one whole mail each) as they arrive, in batches as the account's
   * ingest does, opens them and parses the mails; a batch is parsed while the next one is fetched and
   * opened. Resolves once the last mail is parsed.
   */
  readLog(reader: Hypercore, from: number, to: number): Promise<void>
  close(): Promise<void>
}

export async function openStackFloorWork(): Promise<StackFloorWork> {
  const sender = signingKeyPairFromSeed(randomBytes(32))
  const identity = signingKeyPairFromSeed(randomBytes(32)).publicKey
  const encryption: EncryptionKeyPair = generateEncryptionKeyPair()
  const recipient = { identityPublicKey: identity, encryptionPublicKey: encryption.publicKey }
  const keyring = {
    identityPublicKey: identity,
    findKey: (keyId: Buffer) => (keyId.equals(encryption.keyId) ? encryption : undefined),
  }
  const parser = createMimeParser()
  await parser.ready()
  let made = 0
  const openMails = (logKey: Buffer, from: number, blocks: Buffer[]) =>
    blocks.map((block, i) => {
      const frame = decodeFrame(
        openBlock(block, { logKey, seq: from + i }, sender.publicKey, keyring),
      )
      if (frame.kind !== 'whole') throw new Error('a floor block must hold a whole mail')
      return frame.mail
    })
  return {
    async sealMail(logKey, seq, bodyBytes) {
      const n = made++
      const raw = await new MailComposer({
        from: 'alice@example.org',
        to: 'bob@example.org',
        subject: `floor ${n}`,
        text: textOf(bodyBytes, `f${n}`),
      })
        .compile()
        .build()
      const frames = frameMail(raw)
      if (frames.length !== 1 || !frames[0]) throw new Error('a floor mail must fit one block')
      return sealBlock(frames[0], { logKey, seq }, sender, recipient)
    },
    async readLog(reader, from, to) {
      const logKey = reader.key as Buffer
      let parsing: Promise<unknown> = Promise.resolve()
      for (let at = from; at < to; at += READ_BATCH) {
        const end = Math.min(to, at + READ_BATCH)
        const blocks = await Promise.all(
          Array.from({ length: end - at }, (_, i) => reader.get(at + i)),
        )
        const mails = openMails(logKey, at, blocks as Buffer[])
        await parsing
        parsing = parser.parseMany(mails)
      }
      await parsing
    },
    close: () => parser.close(),
  }
}
