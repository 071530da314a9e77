import type Protomux from 'protomux'
import type { Channel, ProtomuxMessage } from 'protomux'
import type { SwarmConnection } from 'hyperswarm'
import { isPeermailError } from '../shared/errors.js'
import { SyncErrorCode } from './errors.js'
import { TokenBucket } from './rate-limit.js'
import {
  CHANNEL_PROTOCOL,
  decodeAck,
  decodeHello,
  decodeOffer,
  encodeAck,
  encodeHello,
  encodeOffer,
  MAX_CHANNEL_FRAME_BYTES,
  type Ack,
  type Hello,
  type Offer,
} from './wire.js'

export interface SessionHandlers {
  onHello(session: PeerSession, hello: Hello): Promise<void>
  onOffer(session: PeerSession, offer: Offer): Promise<void>
  onAck(session: PeerSession, ack: Ack): Promise<void>
  /** The peer broke the protocol (garbage, flooding, a bad signature): it is being disconnected. */
  onMisbehaviour(session: PeerSession, reason: string): void
  onClose(session: PeerSession): void
}

export interface SessionLimits {
  /** Frames a peer may send in a burst, and per second after it. */
  burst: number
  perSecond: number
}

/**
 * One connection's `peermail/1` channel (docs/protocol.md §11). It bounds what the peer may send (frame
 * size, frame rate, hello first, handlers one at a time) and disconnects it on the first violation:
 * garbage from one peer never touches another's session.
 */
export class PeerSession {
  readonly peer: string
  readonly remoteKey: Buffer
  private sawHello = false
  /** Logs offered to this peer on this connection. */
  readonly offered = new Set<string>()
  private readonly channel: Channel
  private readonly hello: ProtomuxMessage
  private readonly offer: ProtomuxMessage
  private readonly ack: ProtomuxMessage
  private readonly bucket: TokenBucket
  private queue: Promise<void> = Promise.resolve()
  private closed = false

  constructor(
    mux: Protomux,
    readonly connection: SwarmConnection,
    private readonly handlers: SessionHandlers,
    limits: SessionLimits,
  ) {
    this.remoteKey = connection.remotePublicKey
    this.peer = this.remoteKey.toString('hex')
    this.bucket = new TokenBucket(limits.burst, limits.perSecond)
    const channel = mux.createChannel({
      protocol: CHANNEL_PROTOCOL,
      messages: [
        {
          onmessage: (frame) => {
            this.receive('hello', frame)
          },
        },
        {
          onmessage: (frame) => {
            this.receive('offer', frame)
          },
        },
        {
          onmessage: (frame) => {
            this.receive('ack', frame)
          },
        },
      ],
      onclose: () => {
        this.close()
      },
    })
    if (!channel) throw new Error('peermail/1 channel already open on this connection')
    this.channel = channel
    const [hello, offer, ack] = channel.messages
    if (!hello || !offer || !ack) throw new Error('peermail/1 channel lacks its messages')
    this.hello = hello
    this.offer = offer
    this.ack = ack
    channel.open()
  }

  get isClosed(): boolean {
    return this.closed
  }

  sendHello(hello: Hello): void {
    if (!this.closed) this.hello.send(encodeHello(hello))
  }

  sendOffer(offer: Offer): void {
    if (this.closed) return
    this.offered.add(offer.logKey.toString('hex'))
    this.offer.send(encodeOffer(offer))
  }

  sendAck(ack: Ack): void {
    if (!this.closed) this.ack.send(encodeAck(ack))
  }

  /** Ends the session and its connection. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.channel.close()
    this.connection.destroy()
    this.handlers.onClose(this)
  }

  private receive(type: 'hello' | 'offer' | 'ack', frame: Buffer): void {
    if (this.closed) return
    if (!this.bucket.take()) {
      this.misbehave('too many frames')
      return
    }
    if (frame.byteLength > MAX_CHANNEL_FRAME_BYTES) {
      this.misbehave(`oversized ${type}`)
      return
    }
    if (type === 'hello') this.sawHello = true
    else if (!this.sawHello) {
      this.misbehave(`${type} before hello`)
      return
    }
    // Frames are handled in arrival order, one at a time: state changes never interleave per peer.
    this.queue = this.queue.then(async () => {
      if (this.closed) return
      try {
        if (type === 'hello') await this.handlers.onHello(this, decodeHello(frame))
        else if (type === 'offer') await this.handlers.onOffer(this, decodeOffer(frame))
        else await this.handlers.onAck(this, decodeAck(frame))
      } catch (err) {
        if (this.isClosed) return
        // Only a protocol violation is the peer's fault; our own failure (disk, shutdown) just ends it.
        if (
          isPeermailError(err, SyncErrorCode.BAD_FRAME) ||
          isPeermailError(err, SyncErrorCode.BAD_SIGNATURE)
        )
          this.misbehave(err.message)
        else this.close()
      }
    })
  }

  private misbehave(reason: string): void {
    if (this.closed) return
    this.handlers.onMisbehaviour(this, reason)
    this.close()
  }
}
