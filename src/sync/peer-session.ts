import type { SwarmConnection } from 'hyperswarm'
import type Protomux from 'protomux'
import { BoundedChannel } from './bounded-channel.js'
import {
  CHANNEL_PROTOCOL,
  decodeAck,
  decodeHello,
  decodeOffer,
  encodeHello,
  encodeOffer,
  MAX_CHANNEL_FRAME_BYTES,
  type Hello,
  type Offer,
  type SignedAck,
} from './wire.js'

export interface SessionHandlers {
  onHello(session: PeerSession, hello: Hello): Promise<void>
  onOffer(session: PeerSession, offer: Offer): Promise<void>
  onAck(session: PeerSession, ack: SignedAck): Promise<void>
  /** The peer broke the protocol (garbage, flooding, a bad signature): it is being disconnected. */
  onMisbehaviour(session: PeerSession, reason: string): void
  onClose(session: PeerSession): void
}

export interface SessionLimits {
  /** Frames a peer may send in a burst, and per second after it. */
  burst: number
  perSecond: number
}

const TYPES = ['hello', 'offer', 'ack'] as const
type Type = (typeof TYPES)[number]

/**
 * One connection's `peermail/1` channel (docs/protocol.md §11): a {@link BoundedChannel} whose peer must
 * say hello before anything else.
 */
export class PeerSession {
  readonly peer: string
  readonly remoteKey: Buffer
  /** Logs offered to this peer on this connection. */
  readonly offered = new Set<string>()
  private readonly channel: BoundedChannel<Type>
  private sawHello = false

  constructor(
    mux: Protomux,
    readonly connection: SwarmConnection,
    handlers: SessionHandlers,
    limits: SessionLimits,
  ) {
    this.remoteKey = connection.remotePublicKey
    this.peer = this.remoteKey.toString('hex')
    this.channel = new BoundedChannel(
      mux,
      connection,
      CHANNEL_PROTOCOL,
      TYPES,
      {
        admit: (type) => {
          if (type === 'hello') this.sawHello = true
          else if (!this.sawHello) return `${type} before hello`
          return undefined
        },
        onFrame: async (type, frame) => {
          if (type === 'hello') await handlers.onHello(this, decodeHello(frame))
          else if (type === 'offer') await handlers.onOffer(this, decodeOffer(frame))
          else await handlers.onAck(this, decodeAck(frame))
        },
        onMisbehaviour: (reason) => {
          handlers.onMisbehaviour(this, reason)
        },
        onClose: () => {
          handlers.onClose(this)
        },
      },
      { ...limits, maxFrameBytes: MAX_CHANNEL_FRAME_BYTES },
    )
  }

  get isClosed(): boolean {
    return this.channel.isClosed
  }

  sendHello(hello: Hello): void {
    this.channel.send('hello', encodeHello(hello))
  }

  sendOffer(offer: Offer): void {
    if (this.isClosed) return
    this.offered.add(offer.logKey.toString('hex'))
    this.channel.send('offer', encodeOffer(offer))
  }

  /** Sends an ack already encoded and signed (`encodeAck`). */
  sendAck(frame: Buffer): void {
    this.channel.send('ack', frame)
  }

  /** Ends the session and its connection. */
  close(): void {
    this.channel.close()
  }
}
