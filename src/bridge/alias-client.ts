import type { SwarmConnection } from 'hyperswarm'
import type Protomux from 'protomux'
import { encodeAddress, type SigningKeyPair } from '../crypto/index.js'
import { BoundedChannel } from '../sync/bounded-channel.js'
import type { SyncEngine } from '../sync/index.js'
import { BridgeError } from './errors.js'
import {
  AliasStatus,
  BRIDGE_MESSAGES,
  BRIDGE_PROTOCOL,
  bridgeCodecs,
  signAliasRequest,
  type AliasOp,
  type AliasReply,
  type BridgeMessage,
} from './wire.js'

/** How long an alias request waits for the bridge's answer by default (dialling included). */
export const ALIAS_REQUEST_TIMEOUT_MS = 30_000
const REDIAL_MS = 5_000

interface Pending {
  bridge: string
  frame: Buffer
  resolve(status: AliasStatus): void
}

/**
 * The account's side of `peermail-bridge/1`: it opens the channel on every connection (a bridge is just
 * a peer that answers on it) and sends signed alias requests, resending on each new connection to the
 * bridge until one is answered — requests are idempotent, so a duplicate connection costs nothing.
 */
export class AliasClient {
  private readonly channels = new Map<string, Set<BoundedChannel<BridgeMessage>>>()
  private readonly pending = new Map<string, Pending>()
  private closed = false

  constructor(
    private readonly sync: SyncEngine,
    private readonly identity: SigningKeyPair,
    private readonly now: () => number = Date.now,
  ) {
    sync.on('connection', this.onConnection)
  }

  /** Asks `bridge` to add or remove `alias` (canonical) for this account; resolves with its answer. */
  request(
    bridge: Buffer,
    op: AliasOp,
    alias: string,
    timeoutMs = ALIAS_REQUEST_TIMEOUT_MS,
  ): Promise<AliasStatus> {
    if (this.closed) return Promise.reject(BridgeError.CLOSED())
    const hex = bridge.toString('hex')
    const key = `${hex}/${op}/${alias}`
    const request = signAliasRequest(this.identity, bridge, op, alias, this.now())
    const frame = bridgeCodecs.alias.encode(request)
    return new Promise<AliasStatus>((resolve, reject) => {
      // Someone is waiting for this answer: dial again every few seconds rather than leave it to the
      // swarm's backoff, whose next try after a failed first dial may come only after the timeout.
      const redial = setInterval(() => {
        if (this.closed) return
        try {
          this.sync.dial(bridge)
        } catch {
          // The engine closed under us: the timeout below still answers the caller.
        }
      }, REDIAL_MS)
      redial.unref()
      const timer = setTimeout(() => {
        clearInterval(redial)
        this.pending.delete(key)
        reject(BridgeError.UNREACHABLE(encodeAddress(bridge), timeoutMs))
      }, timeoutMs)
      this.pending.set(key, {
        bridge: hex,
        frame,
        resolve: (status) => {
          clearTimeout(timer)
          clearInterval(redial)
          this.pending.delete(key)
          resolve(status)
        },
      })
      for (const channel of this.channels.get(hex) ?? []) channel.send('alias', frame)
      this.sync.dial(bridge)
    })
  }

  close(): void {
    this.closed = true
    this.sync.off('connection', this.onConnection)
    for (const set of this.channels.values()) for (const channel of set) channel.close()
    this.channels.clear()
  }

  private readonly onConnection = (conn: SwarmConnection, mux: Protomux): void => {
    if (this.closed) return
    const hex = conn.remotePublicKey.toString('hex')
    const channel: BoundedChannel<BridgeMessage> = new BoundedChannel(
      mux,
      conn,
      BRIDGE_PROTOCOL,
      BRIDGE_MESSAGES,
      {
        onFrame: (type, frame) => this.onFrame(hex, type, frame),
        onMisbehaviour: () => {},
        onClose: () => {
          const set = this.channels.get(hex)
          set?.delete(channel)
          if (set?.size === 0) this.channels.delete(hex)
        },
      },
      { burst: 64, perSecond: 16, maxFrameBytes: 1024 },
    )
    let set = this.channels.get(hex)
    if (!set) this.channels.set(hex, (set = new Set()))
    set.add(channel)
    for (const pending of this.pending.values())
      if (pending.bridge === hex) channel.send('alias', pending.frame)
  }

  private onFrame(bridge: string, type: BridgeMessage, frame: Buffer): Promise<void> {
    // An account never answers alias requests: a peer sending one gets nothing (it is not our bridge).
    if (type !== 'aliased') return Promise.resolve()
    const reply: AliasReply = bridgeCodecs.aliased.decode(frame)
    this.pending.get(`${bridge}/${reply.op}/${reply.alias}`)?.resolve(reply.status)
    return Promise.resolve()
  }
}

/** Words for a refusal, for errors shown to people. */
export function aliasStatusText(status: AliasStatus): string {
  switch (status) {
    case AliasStatus.OK:
      return 'ok'
    case AliasStatus.WRONG_DOMAIN:
      return 'not a domain this bridge serves'
    case AliasStatus.TAKEN:
      return 'held by another account'
    case AliasStatus.BAD_REQUEST:
      return 'request not accepted (signature, clock or spelling)'
    case AliasStatus.TOO_MANY:
      return 'this account holds as many aliases as the bridge allows'
    case AliasStatus.NOT_YOURS:
      return 'not held by this account'
  }
}
