import { PeermailError } from '../shared/errors.js'

/** Every failure the crypto core reports; tests and callers match on these codes. */
export const CryptoErrorCode = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  PHRASE_LENGTH: 'PHRASE_LENGTH',
  PHRASE_UNKNOWN_WORD: 'PHRASE_UNKNOWN_WORD',
  PHRASE_CHECKSUM: 'PHRASE_CHECKSUM',
  ADDRESS_FORMAT: 'ADDRESS_FORMAT',
  ADDRESS_VERSION: 'ADDRESS_VERSION',
  ADDRESS_CHECKSUM: 'ADDRESS_CHECKSUM',
  ENVELOPE_TOO_LARGE: 'ENVELOPE_TOO_LARGE',
  ENVELOPE_OPEN_FAILED: 'ENVELOPE_OPEN_FAILED',
  SECRETBOX_OPEN_FAILED: 'SECRETBOX_OPEN_FAILED',
  VAULT_WRONG_PASSPHRASE: 'VAULT_WRONG_PASSPHRASE',
  VAULT_CORRUPT: 'VAULT_CORRUPT',
  VAULT_NOT_FOUND: 'VAULT_NOT_FOUND',
  VAULT_EXISTS: 'VAULT_EXISTS',
  STAMP_INVALID: 'STAMP_INVALID',
  STAMP_INSUFFICIENT: 'STAMP_INSUFFICIENT',
  STAMP_EXPIRED: 'STAMP_EXPIRED',
} as const

export type CryptoErrorCode = (typeof CryptoErrorCode)[keyof typeof CryptoErrorCode]

/** Error thrown by the crypto core. `code` is one of {@link CryptoErrorCode}. */
export class CryptoError extends PeermailError {
  declare readonly code: CryptoErrorCode

  constructor(code: CryptoErrorCode, message: string) {
    super(code, message)
    this.name = 'CryptoError'
  }

  static INVALID_ARGUMENT(what: string): CryptoError {
    return new CryptoError(CryptoErrorCode.INVALID_ARGUMENT, `Invalid argument: ${what}`)
  }

  static PHRASE_LENGTH(got: number, want: number): CryptoError {
    return new CryptoError(
      CryptoErrorCode.PHRASE_LENGTH,
      `A recovery phrase has ${want} words; this one has ${got}`,
    )
  }

  static PHRASE_UNKNOWN_WORD(position: number, word: string, suggestion?: string): CryptoError {
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : ''
    return new CryptoError(
      CryptoErrorCode.PHRASE_UNKNOWN_WORD,
      `Word ${position} of the recovery phrase, "${word}", is not in the word list${hint}`,
    )
  }

  static PHRASE_CHECKSUM(): CryptoError {
    return new CryptoError(
      CryptoErrorCode.PHRASE_CHECKSUM,
      'The recovery phrase checksum does not match: a word is wrong or two words are swapped',
    )
  }

  static ADDRESS_FORMAT(reason: string): CryptoError {
    return new CryptoError(CryptoErrorCode.ADDRESS_FORMAT, `Not a Peermail address: ${reason}`)
  }

  static ADDRESS_VERSION(prefix: string): CryptoError {
    return new CryptoError(
      CryptoErrorCode.ADDRESS_VERSION,
      `Unsupported Peermail address version "${prefix}"`,
    )
  }

  static ADDRESS_CHECKSUM(): CryptoError {
    return new CryptoError(
      CryptoErrorCode.ADDRESS_CHECKSUM,
      'The address checksum does not match: it was mistyped or truncated',
    )
  }

  static ENVELOPE_TOO_LARGE(size: number, limit: number): CryptoError {
    return new CryptoError(
      CryptoErrorCode.ENVELOPE_TOO_LARGE,
      `Message of ${size} bytes exceeds the envelope limit of ${limit} bytes`,
    )
  }

  /** One code for every way opening can fail, so a failure reveals nothing about which check tripped. */
  static ENVELOPE_OPEN_FAILED(): CryptoError {
    return new CryptoError(
      CryptoErrorCode.ENVELOPE_OPEN_FAILED,
      'The envelope could not be opened: it is damaged, forged, or not addressed to this key',
    )
  }

  static SECRETBOX_OPEN_FAILED(): CryptoError {
    return new CryptoError(
      CryptoErrorCode.SECRETBOX_OPEN_FAILED,
      'Encrypted data could not be opened: it is damaged, misplaced, or under another key',
    )
  }

  static VAULT_WRONG_PASSPHRASE(): CryptoError {
    return new CryptoError(CryptoErrorCode.VAULT_WRONG_PASSPHRASE, 'Wrong passphrase')
  }

  static VAULT_CORRUPT(reason: string): CryptoError {
    return new CryptoError(CryptoErrorCode.VAULT_CORRUPT, `The vault is unreadable: ${reason}`)
  }

  static VAULT_NOT_FOUND(path: string): CryptoError {
    return new CryptoError(CryptoErrorCode.VAULT_NOT_FOUND, `No vault at ${path}`)
  }

  static VAULT_EXISTS(path: string): CryptoError {
    return new CryptoError(CryptoErrorCode.VAULT_EXISTS, `A vault already exists at ${path}`)
  }

  static STAMP_INVALID(reason: string): CryptoError {
    return new CryptoError(CryptoErrorCode.STAMP_INVALID, `Invalid proof-of-work stamp: ${reason}`)
  }

  static STAMP_INSUFFICIENT(got: number, want: number): CryptoError {
    return new CryptoError(
      CryptoErrorCode.STAMP_INSUFFICIENT,
      `Proof-of-work stamp has difficulty ${got}; ${want} is required`,
    )
  }

  static STAMP_EXPIRED(): CryptoError {
    return new CryptoError(
      CryptoErrorCode.STAMP_EXPIRED,
      'Proof-of-work stamp is outside the accepted time window',
    )
  }
}
