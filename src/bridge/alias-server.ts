import type { SwarmConnection } from 'hyperswarm'
import type Protomux from 'protomux'
import { BoundedChannel } from '../sync/bounded-channel.js'
import { SyncError } from '../sync/errors.js'
import { normaliseAlias } from './alias.js'
import type { AliasRegistry } from './alias-registry.js'
import {
  AliasOp,
  AliasStatus,
  BRIDGE_MESSAGES,
  BRIDGE_PROTOCOL,
  bridgeCodecs,
  verifyAliasRequest,
  type AliasRequest,
  type BridgeMessage,
} from './wire.js'

/** A request is accepted this far from the bridge's clock (as relay registrations are). */
export const ALIAS_REQUEST_WINDOW_MS = 24 * 3600 * 1000

export interface AliasServerOptions {
  registry: AliasRegistry
  /** The bridge's identity key: requests must be signed for it. */
  bridge: Buffer
  /** The one domain this bridge hands aliases out in. */
  domain: string
  now?: () => number
  log?: (event: string, detail: Record<string, unknown>) => void
  /** An account now holds an alias here (it may send through the bridge). */
  onRegistered?: (account: Buffer) => Promise<void>
}

/**
 * The bridge's side of `peermail-bridge/1`: alias requests, each signed by the account that makes it
 * (the Noise connection already proves who is speaking; the signature binds the request to this bridge
 * and a time, and is what the bridge can show later for why an alias is someone's).
 */
export class AliasServer {
  private readonly channels = new Set<BoundedChannel<BridgeMessage>>()
  private readonly now: () => number
  private readonly log: (event: string, detail: Record<string, unknown>) => void

  constructor(private readonly options: AliasServerOptions) {
    this.now = options.now ?? Date.now
    this.log = options.log ?? (() => {})
  }

  /** Opens the bridge channel on a new connection (every peer may ask; only signed requests count). */
  attach(conn: SwarmConnection, mux: Protomux): void {
    const channel: BoundedChannel<BridgeMessage> = new BoundedChannel(
      mux,
      conn,
      BRIDGE_PROTOCOL,
      BRIDGE_MESSAGES,
      {
        onFrame: (type, frame) => this.onFrame(channel, type, frame),
        onMisbehaviour: (reason) => {
          this.log('bridge-peer-dropped', { peer: conn.remotePublicKey.toString('hex'), reason })
        },
        onClose: () => this.channels.delete(channel),
      },
      // Alias changes are rare: a small budget is plenty and bounds the registry's write rate.
      { burst: 16, perSecond: 1, maxFrameBytes: 1024 },
    )
    this.channels.add(channel)
  }

  close(): void {
    for (const channel of this.channels) channel.close()
    this.channels.clear()
  }

  private async onFrame(
    channel: BoundedChannel<BridgeMessage>,
    type: BridgeMessage,
    frame: Buffer,
  ): Promise<void> {
    if (type !== 'alias') throw SyncError.BAD_FRAME(`${type} sent to a bridge`)
    const request = bridgeCodecs.alias.decode(frame)
    const status = await this.decide(channel.remoteKey, request)
    if (status === AliasStatus.OK && request.op === AliasOp.ADD)
      await this.options.onRegistered?.(channel.remoteKey)
    this.log('alias', { op: request.op, status, account: channel.remoteKey.toString('hex') })
    channel.send(
      'aliased',
      bridgeCodecs.aliased.encode({ op: request.op, alias: request.alias, status }),
    )
  }

  private async decide(account: Buffer, request: AliasRequest): Promise<AliasStatus> {
    if (!verifyAliasRequest(request, account, this.options.bridge)) return AliasStatus.BAD_REQUEST
    if (Math.abs(this.now() - request.issuedAt) > ALIAS_REQUEST_WINDOW_MS)
      return AliasStatus.BAD_REQUEST
    let alias: string
    try {
      alias = normaliseAlias(request.alias)
    } catch {
      return AliasStatus.BAD_REQUEST
    }
    // The account signed the exact text; a non-canonical spelling is refused rather than rewritten.
    if (alias !== request.alias) return AliasStatus.BAD_REQUEST
    if (!alias.endsWith(`@${this.options.domain}`)) return AliasStatus.WRONG_DOMAIN
    const registry = this.options.registry
    return request.op === AliasOp.ADD
      ? registry.add(alias, account)
      : registry.remove(alias, account)
  }
}
