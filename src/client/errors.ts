import { PeermailError } from '../shared/errors.js'

/** Failures of opening and running an account node. */
export const ClientErrorCode = {
  ALREADY_OPEN: 'ALREADY_OPEN',
  ACCOUNT_EXISTS: 'ACCOUNT_EXISTS',
  NO_ACCOUNT: 'NO_ACCOUNT',
  CLOSED: 'NODE_CLOSED',
  INVALID_INPUT: 'INVALID_INPUT',
  OFFLINE: 'ACCOUNT_OFFLINE',
  SAFETY_NUMBER_MISMATCH: 'SAFETY_NUMBER_MISMATCH',
  DELIVERY_FAILED: 'DELIVERY_FAILED',
} as const

export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode]

export class ClientError extends PeermailError {
  declare readonly code: ClientErrorCode

  constructor(code: ClientErrorCode, message: string) {
    super(code, message)
    this.name = 'ClientError'
  }

  static ALREADY_OPEN(home: string, pid: number): ClientError {
    return new ClientError(
      ClientErrorCode.ALREADY_OPEN,
      `The account in ${home} is already open (pid ${pid}); close that first`,
    )
  }

  static ACCOUNT_EXISTS(home: string): ClientError {
    return new ClientError(ClientErrorCode.ACCOUNT_EXISTS, `There is already an account in ${home}`)
  }

  static NO_ACCOUNT(home: string): ClientError {
    return new ClientError(
      ClientErrorCode.NO_ACCOUNT,
      `No account in ${home}: create one with \`peermail init\` or \`peermail restore\``,
    )
  }

  static INVALID_INPUT(what: string): ClientError {
    return new ClientError(ClientErrorCode.INVALID_INPUT, `Invalid input: ${what}`)
  }

  static OFFLINE(): ClientError {
    return new ClientError(ClientErrorCode.OFFLINE, 'This account was opened without the network')
  }

  /** The safety number the user read from their contact is not the one for these two keys. */
  static SAFETY_NUMBER_MISMATCH(address: string): ClientError {
    return new ClientError(
      ClientErrorCode.SAFETY_NUMBER_MISMATCH,
      `The safety number does not match ${address}: do not trust this contact until you find out why`,
    )
  }

  /** A recipient refused a mail for good (blocked, or refused it otherwise); it will not be retried. */
  static DELIVERY_FAILED(recipients: string[]): ClientError {
    return new ClientError(
      ClientErrorCode.DELIVERY_FAILED,
      `Delivery failed for ${recipients.join(', ')}: the recipient refused the mail`,
    )
  }

  static CLOSED(): ClientError {
    return new ClientError(ClientErrorCode.CLOSED, 'The account node is closed')
  }
}
