import type { SwarmConnection } from 'hyperswarm'
import type Protomux from 'protomux'
import type { Channel, ProtomuxMessage } from 'protomux'
import { isPeermailError } from '../shared/errors.js'
import { SyncErrorCode } from './errors.js'
import { TokenBucket } from './rate-limit.js'

export interface ChannelLimits {
  /** Frames a peer may send in a burst, and per second after it. */
  burst: number
  perSecond: number
  /** Largest frame accepted. */
  maxFrameBytes: number
}

export interface BoundedChannelHandlers<Type extends string> {
  /** Handles one frame; throwing BAD_FRAME or BAD_SIGNATURE is the peer's fault, anything else ours. */
  onFrame(type: Type, frame: Buffer): Promise<void>
  /** Checked on arrival: a reason to refuse this frame as a protocol violation, or undefined. */
  admit?(type: Type): string | undefined
  /** The peer broke the protocol: the connection is being closed. */
  onMisbehaviour(reason: string): void
  onClose(): void
}

/**
 * A Protomux channel with the bounds every Peermail protocol needs (docs/protocol.md §11): frame size,
 * frame rate (a token bucket per connection), frames handled in arrival order one at a time, and the
 * connection closed on the first violation, so garbage from one peer never touches another's session.
 */
export class BoundedChannel<Type extends string> {
  readonly remoteKey: Buffer
  private readonly channel: Channel
  private readonly messages = new Map<Type, ProtomuxMessage>()
  private readonly bucket: TokenBucket
  private queue: Promise<void> = Promise.resolve()
  private closed = false

  constructor(
    mux: Protomux,
    readonly connection: SwarmConnection,
    protocol: string,
    types: readonly Type[],
    private readonly handlers: BoundedChannelHandlers<Type>,
    private readonly limits: ChannelLimits,
  ) {
    this.remoteKey = connection.remotePublicKey
    this.bucket = new TokenBucket(limits.burst, limits.perSecond)
    const channel = mux.createChannel({
      protocol,
      messages: types.map((type) => ({
        onmessage: (frame: Buffer) => {
          this.receive(type, frame)
        },
      })),
      // Closed by the other side, or refused because it does not speak this protocol (a relay does
      // not speak peermail/1): the channel ends, the connection stays for the protocols it does speak.
      onclose: () => {
        this.end(false)
      },
    })
    if (!channel) throw new Error(`${protocol} channel already open on this connection`)
    this.channel = channel
    for (const [i, type] of types.entries()) {
      const message = channel.messages[i]
      if (!message) throw new Error(`${protocol} channel lacks its ${type} message`)
      this.messages.set(type, message)
    }
    channel.open()
  }

  get isClosed(): boolean {
    return this.closed
  }

  send(type: Type, frame: Buffer): void {
    if (!this.closed) this.messages.get(type)?.send(frame)
  }

  /** Ends the channel and its connection. */
  close(): void {
    this.end(true)
  }

  private end(destroyConnection: boolean): void {
    if (this.closed) return
    this.closed = true
    this.channel.close()
    if (destroyConnection) this.connection.destroy()
    this.handlers.onClose()
  }

  private receive(type: Type, frame: Buffer): void {
    if (this.closed) return
    const refusal = !this.bucket.take()
      ? 'too many frames'
      : frame.byteLength > this.limits.maxFrameBytes
        ? `oversized ${type}`
        : this.handlers.admit?.(type)
    if (refusal !== undefined) {
      this.misbehave(refusal)
      return
    }
    // Frames are handled in arrival order, one at a time: state changes never interleave per peer.
    this.queue = this.queue.then(async () => {
      if (this.closed) return
      try {
        await this.handlers.onFrame(type, frame)
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
    this.handlers.onMisbehaviour(reason)
    this.close()
  }
}
