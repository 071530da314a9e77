import { PeermailError } from '../shared/errors.js'

/** Failures of the SMTP bridge. The SMTP reply for each is chosen at the edge (smtp-replies.ts). */
export const BridgeErrorCode = {
  INVALID_ALIAS: 'BRIDGE_INVALID_ALIAS',
  INVALID_OPTIONS: 'BRIDGE_INVALID_OPTIONS',
  ALIAS_REFUSED: 'BRIDGE_ALIAS_REFUSED',
  UNREACHABLE: 'BRIDGE_UNREACHABLE',
  UNKNOWN_RECIPIENT: 'BRIDGE_UNKNOWN_RECIPIENT',
  RELAY_DENIED: 'BRIDGE_RELAY_DENIED',
  TOO_MANY_RECIPIENTS: 'BRIDGE_TOO_MANY_RECIPIENTS',
  MESSAGE_TOO_LARGE: 'BRIDGE_MESSAGE_TOO_LARGE',
  BARE_LINE_ENDING: 'BRIDGE_BARE_LINE_ENDING',
  TOO_MANY_CONNECTIONS: 'BRIDGE_TOO_MANY_CONNECTIONS',
  RATE_LIMITED: 'BRIDGE_RATE_LIMITED',
  NOT_READY: 'BRIDGE_NOT_READY',
  CLOSED: 'BRIDGE_CLOSED',
} as const

export type BridgeErrorCode = (typeof BridgeErrorCode)[keyof typeof BridgeErrorCode]

export class BridgeError extends PeermailError {
  declare readonly code: BridgeErrorCode

  constructor(code: BridgeErrorCode, message: string) {
    super(code, message)
    this.name = 'BridgeError'
  }

  static INVALID_ALIAS(text: string, why: string): BridgeError {
    return new BridgeError(
      BridgeErrorCode.INVALID_ALIAS,
      `${JSON.stringify(text.slice(0, 80))} is not a usable alias: ${why}`,
    )
  }

  static INVALID_OPTIONS(what: string): BridgeError {
    return new BridgeError(BridgeErrorCode.INVALID_OPTIONS, `Invalid bridge option: ${what}`)
  }

  /** The bridge said no to an alias request (`reason` is the bridge's refusal, e.g. "taken"). */
  static ALIAS_REFUSED(alias: string, reason: string): BridgeError {
    return new BridgeError(BridgeErrorCode.ALIAS_REFUSED, `The bridge refused ${alias}: ${reason}`)
  }

  static UNREACHABLE(bridge: string, ms: number): BridgeError {
    return new BridgeError(
      BridgeErrorCode.UNREACHABLE,
      `No answer from bridge ${bridge} within ${Math.round(ms / 1000)} s`,
    )
  }

  static UNKNOWN_RECIPIENT(): BridgeError {
    return new BridgeError(BridgeErrorCode.UNKNOWN_RECIPIENT, 'No such recipient here')
  }

  static RELAY_DENIED(): BridgeError {
    return new BridgeError(
      BridgeErrorCode.RELAY_DENIED,
      'Relaying denied: not a domain of this bridge',
    )
  }

  static TOO_MANY_RECIPIENTS(limit: number): BridgeError {
    return new BridgeError(
      BridgeErrorCode.TOO_MANY_RECIPIENTS,
      `Too many recipients (at most ${limit} per message)`,
    )
  }

  static MESSAGE_TOO_LARGE(limit: number): BridgeError {
    return new BridgeError(
      BridgeErrorCode.MESSAGE_TOO_LARGE,
      `Message exceeds the fixed maximum size of ${limit} bytes`,
    )
  }

  static BARE_LINE_ENDING(): BridgeError {
    return new BridgeError(
      BridgeErrorCode.BARE_LINE_ENDING,
      'Bare CR or LF in message data (RFC 5321 §2.3.8): refused',
    )
  }

  static TOO_MANY_CONNECTIONS(): BridgeError {
    return new BridgeError(BridgeErrorCode.TOO_MANY_CONNECTIONS, 'Too many connections, try later')
  }

  static RATE_LIMITED(): BridgeError {
    return new BridgeError(
      BridgeErrorCode.RATE_LIMITED,
      'Too much mail from this sender, try later',
    )
  }

  /** A temporary failure: the message could not be made durable for its account now. */
  static NOT_READY(why: string): BridgeError {
    return new BridgeError(BridgeErrorCode.NOT_READY, `Cannot accept the message now: ${why}`)
  }

  static CLOSED(): BridgeError {
    return new BridgeError(BridgeErrorCode.CLOSED, 'The bridge is closed')
  }
}
