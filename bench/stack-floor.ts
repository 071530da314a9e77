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

export interface StackFloorWork {
  /** Composes a mail with `bodyBytes` of text and seals it as the block at `seq` of the log `logKey`. */
  sealMail(logKey: Buffer, seq: number, bodyBytes: number): Promise<Buffer>
  /**
   * Opens `blocks` (one whole mail each, at `from`, `from + 1`, … of `logKey`) and hands the mails to the
   * parser. The parse runs while the caller fetches and opens the next blocks; `drain` waits for it.
   */
  openAndParse(logKey: Buffer, from: number, blocks: Buffer[]): Promise<void>
  drain(): Promise<void>
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
  let parsing: Promise<unknown> = Promise.resolve()
  let made = 0
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
    async openAndParse(logKey, from, blocks) {
      const mails = blocks.map((block, i) => {
        const frame = decodeFrame(
          openBlock(block, { logKey, seq: from + i }, sender.publicKey, keyring),
        )
        if (frame.kind !== 'whole') throw new Error('a floor block must hold a whole mail')
        return frame.mail
      })
      await parsing
      parsing = parser.parseMany(mails)
    },
    async drain() {
      await parsing
    },
    close: () => parser.close(),
  }
}
