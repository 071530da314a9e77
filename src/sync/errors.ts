import { PeermailError } from '../shared/errors.js'

/** Failures of peer-to-peer delivery. */
export const SyncErrorCode = {
  BAD_FRAME: 'SYNC_BAD_FRAME',
  BAD_SIGNATURE: 'SYNC_BAD_SIGNATURE',
  NOT_A_PEER_ADDRESS: 'NOT_A_PEER_ADDRESS',
  INVALID_ARGUMENT: 'SYNC_INVALID_ARGUMENT',
  CLOSED: 'SYNC_CLOSED',
} as const

export type SyncErrorCode = (typeof SyncErrorCode)[keyof typeof SyncErrorCode]

export class SyncError extends PeermailError {
  declare readonly code: SyncErrorCode

  constructor(code: SyncErrorCode, message: string) {
    super(code, message)
    this.name = 'SyncError'
  }

  /** A peer sent bytes that do not decode as the frame they claim to be. */
  static BAD_FRAME(what: string): SyncError {
    return new SyncError(SyncErrorCode.BAD_FRAME, `Malformed ${what}`)
  }

  static BAD_SIGNATURE(what: string): SyncError {
    return new SyncError(SyncErrorCode.BAD_SIGNATURE, `The ${what} is not signed by its owner`)
  }

  static NOT_A_PEER_ADDRESS(text: string): SyncError {
    return new SyncError(
      SyncErrorCode.NOT_A_PEER_ADDRESS,
      `${JSON.stringify(text.slice(0, 80))} is not a Peermail address (pm1…)`,
    )
  }

  static INVALID_ARGUMENT(what: string): SyncError {
    return new SyncError(SyncErrorCode.INVALID_ARGUMENT, `Invalid ${what}`)
  }

  static CLOSED(): SyncError {
    return new SyncError(SyncErrorCode.CLOSED, 'The sync engine is closed')
  }
}
