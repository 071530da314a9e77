import {
  SIGNATURE_BYTES,
  signStatement,
  verifyStatement,
  type SigningKeyPair,
} from '../crypto/index.js'
import { FrameReader, u64, u8 } from '../sync/codec.js'
import { SyncError } from '../sync/errors.js'
import { MAX_ALIAS_LENGTH } from './alias.js'

/**
 * The `peermail-bridge/1` Protomux channel between an account and a bridge (docs/protocol.md, "Bridge").
 * It runs beside `peermail/1` on the same Noise connection; mail itself travels in pair logs.
 */
export const BRIDGE_PROTOCOL = 'peermail-bridge/1'

/** Message types, in Protomux order (new ones are only ever appended). */
export const BRIDGE_MESSAGES = ['alias', 'aliased'] as const
export type BridgeMessage = (typeof BRIDGE_MESSAGES)[number]

export const AliasOp = { ADD: 1, REMOVE: 2 } as const
export type AliasOp = (typeof AliasOp)[keyof typeof AliasOp]

/** The bridge's answer to an alias request. */
export const AliasStatus = {
  OK: 0,
  /** Not a domain this bridge serves. */
  WRONG_DOMAIN: 1,
  /** Held by another account. */
  TAKEN: 2,
  /** Badly signed, stale, or not a valid alias. */
  BAD_REQUEST: 3,
  /** The account holds as many aliases as the bridge allows. */
  TOO_MANY: 4,
  /** A removal of an alias the account does not hold. */
  NOT_YOURS: 5,
} as const
export type AliasStatus = (typeof AliasStatus)[keyof typeof AliasStatus]
const STATUSES = new Set<number>(Object.values(AliasStatus))

/** `alias` (account → bridge): add or remove `alias`, signed by the account for this bridge, fresh. */
export interface AliasRequest {
  op: AliasOp
  alias: string
  issuedAt: number
  signature: Buffer
}

/** `aliased` (bridge → account): the outcome of a request for `alias`. */
export interface AliasReply {
  op: AliasOp
  alias: string
  status: AliasStatus
}

const ALIAS_DOMAIN = 'peermail/v1/bridge-alias'

function statement(bridge: Buffer, account: Buffer, op: AliasOp, alias: string, at: number) {
  return [bridge, account, u8(op), Buffer.from(alias, 'ascii'), u64(at)]
}

export function signAliasRequest(
  account: SigningKeyPair,
  bridge: Buffer,
  op: AliasOp,
  alias: string,
  issuedAt: number,
): AliasRequest {
  const parts = statement(bridge, account.publicKey, op, alias, issuedAt)
  return { op, alias, issuedAt, signature: signStatement(ALIAS_DOMAIN, parts, account) }
}

/** True when `account` signed this request for `bridge`. */
export function verifyAliasRequest(req: AliasRequest, account: Buffer, bridge: Buffer): boolean {
  const parts = statement(bridge, account, req.op, req.alias, req.issuedAt)
  return verifyStatement(ALIAS_DOMAIN, parts, req.signature, account)
}

function readAlias(r: FrameReader): string {
  const length = r.u8()
  if (length === 0 || length > MAX_ALIAS_LENGTH) throw SyncError.BAD_FRAME('alias (length)')
  const bytes = r.bytesOf(length)
  if (!bytes.every((b) => b > 0x20 && b < 0x7f)) throw SyncError.BAD_FRAME('alias (bytes)')
  return bytes.toString('ascii')
}

function readOp(r: FrameReader): AliasOp {
  const op = r.u8()
  if (op !== AliasOp.ADD && op !== AliasOp.REMOVE) throw SyncError.BAD_FRAME('alias (op)')
  return op
}

export const bridgeCodecs = {
  alias: {
    encode: (m: AliasRequest) => {
      const alias = Buffer.from(m.alias, 'ascii')
      return Buffer.concat([u8(m.op), u64(m.issuedAt), u8(alias.byteLength), alias, m.signature])
    },
    decode: (frame: Buffer): AliasRequest => {
      const r = new FrameReader(frame, 'alias')
      const op = readOp(r)
      const issuedAt = r.u64()
      const alias = readAlias(r)
      const signature = Buffer.from(r.bytesOf(SIGNATURE_BYTES))
      r.end()
      return { op, alias, issuedAt, signature }
    },
  },
  aliased: {
    encode: (m: AliasReply) => {
      const alias = Buffer.from(m.alias, 'ascii')
      return Buffer.concat([u8(m.op), u8(m.status), u8(alias.byteLength), alias])
    },
    decode: (frame: Buffer): AliasReply => {
      const r = new FrameReader(frame, 'aliased')
      const op = readOp(r)
      const status = r.u8()
      if (!STATUSES.has(status)) throw SyncError.BAD_FRAME('aliased (status)')
      const alias = readAlias(r)
      r.end()
      return { op, status: status as AliasStatus, alias }
    },
  },
}
