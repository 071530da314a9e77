import { PeermailError } from '../shared/errors.js'

/** Every failure the mailbox reports; callers and tests match on these codes. */
export const MailboxErrorCode = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  CLOSED: 'MAILBOX_CLOSED',
  WRONG_KEY: 'MAILBOX_WRONG_KEY',
  CORRUPT: 'MAILBOX_CORRUPT',
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  MESSAGE_NOT_FOUND: 'MESSAGE_NOT_FOUND',
  FOLDER_NOT_FOUND: 'FOLDER_NOT_FOUND',
  FOLDER_EXISTS: 'FOLDER_EXISTS',
  FOLDER_PROTECTED: 'FOLDER_PROTECTED',
  ADDRESS_INVALID: 'ADDRESS_INVALID',
  PARSE_FAILED: 'PARSE_FAILED',
  PARSE_TIMEOUT: 'PARSE_TIMEOUT',
  PARSE_HEAP: 'PARSE_HEAP',
  IMPORT_FORMAT: 'IMPORT_FORMAT',
  IMPORT_MESSAGE_INVALID: 'IMPORT_MESSAGE_INVALID',
  SEARCH_QUERY_INVALID: 'SEARCH_QUERY_INVALID',
  CONTACT_KEY_CHANGED: 'CONTACT_KEY_CHANGED',
  FROM_MISMATCH: 'MAILBOX_FROM_MISMATCH',
  FORMAT_TOO_NEW: 'MAILBOX_FORMAT_TOO_NEW',
} as const

export type MailboxErrorCode = (typeof MailboxErrorCode)[keyof typeof MailboxErrorCode]

/** Error thrown by the mailbox layer. `code` is one of {@link MailboxErrorCode}. */
export class MailboxError extends PeermailError {
  declare readonly code: MailboxErrorCode

  constructor(code: MailboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'MailboxError'
  }

  static INVALID_ARGUMENT(what: string): MailboxError {
    return new MailboxError(MailboxErrorCode.INVALID_ARGUMENT, `Invalid argument: ${what}`)
  }

  static CLOSED(): MailboxError {
    return new MailboxError(MailboxErrorCode.CLOSED, 'The mailbox is closed')
  }

  static WRONG_KEY(): MailboxError {
    return new MailboxError(
      MailboxErrorCode.WRONG_KEY,
      'The mailbox storage key does not match this mailbox (wrong account or passphrase)',
    )
  }

  static FORMAT_TOO_NEW(found: number, supported: number): MailboxError {
    return new MailboxError(
      MailboxErrorCode.FORMAT_TOO_NEW,
      `This mailbox was written by a newer Peermail (format ${found}; this version reads up to ${supported}): update Peermail to open it`,
    )
  }

  static CORRUPT(reason: string): MailboxError {
    return new MailboxError(MailboxErrorCode.CORRUPT, `The mailbox store is damaged: ${reason}`)
  }

  static MESSAGE_TOO_LARGE(size: number, limit: number): MailboxError {
    return new MailboxError(
      MailboxErrorCode.MESSAGE_TOO_LARGE,
      `Message of ${size} bytes exceeds the limit of ${limit} bytes`,
    )
  }

  static MESSAGE_NOT_FOUND(id: string): MailboxError {
    return new MailboxError(MailboxErrorCode.MESSAGE_NOT_FOUND, `No message with id ${id}`)
  }

  static FOLDER_NOT_FOUND(name: string): MailboxError {
    return new MailboxError(MailboxErrorCode.FOLDER_NOT_FOUND, `No folder named "${name}"`)
  }

  static FOLDER_EXISTS(name: string): MailboxError {
    return new MailboxError(
      MailboxErrorCode.FOLDER_EXISTS,
      `A folder named "${name}" already exists`,
    )
  }

  static FOLDER_PROTECTED(name: string): MailboxError {
    return new MailboxError(
      MailboxErrorCode.FOLDER_PROTECTED,
      `"${name}" is a built-in folder and cannot be renamed or removed`,
    )
  }

  static ADDRESS_INVALID(address: string, reason: string): MailboxError {
    return new MailboxError(
      MailboxErrorCode.ADDRESS_INVALID,
      `Invalid email address ${JSON.stringify(address.slice(0, 200))}: ${reason}`,
    )
  }

  static PARSE_FAILED(reason: string): MailboxError {
    return new MailboxError(
      MailboxErrorCode.PARSE_FAILED,
      `The message could not be parsed: ${reason}`,
    )
  }

  static PARSE_TIMEOUT(ms: number): MailboxError {
    return new MailboxError(
      MailboxErrorCode.PARSE_TIMEOUT,
      `Parsing the message took longer than ${ms} ms`,
    )
  }

  static PARSE_HEAP(mb: number): MailboxError {
    return new MailboxError(
      MailboxErrorCode.PARSE_HEAP,
      `Parsing the message needed more than ${mb} MB of memory`,
    )
  }

  static IMPORT_FORMAT(file: string, reason: string): MailboxError {
    return new MailboxError(MailboxErrorCode.IMPORT_FORMAT, `${file}: ${reason}`)
  }

  static IMPORT_MESSAGE_INVALID(file: string, where: string, reason: string): MailboxError {
    return new MailboxError(MailboxErrorCode.IMPORT_MESSAGE_INVALID, `${file}, ${where}: ${reason}`)
  }

  static SEARCH_QUERY_INVALID(reason: string): MailboxError {
    return new MailboxError(MailboxErrorCode.SEARCH_QUERY_INVALID, `Invalid search: ${reason}`)
  }

  static FROM_MISMATCH(expected: string): MailboxError {
    return new MailboxError(
      MailboxErrorCode.FROM_MISMATCH,
      `The message's From is not ${expected}, the sender it came from`,
    )
  }

  static CONTACT_KEY_CHANGED(address: string): MailboxError {
    return new MailboxError(
      MailboxErrorCode.CONTACT_KEY_CHANGED,
      `The key of contact ${address} changed; verify it before trusting it`,
    )
  }
}
