import { PeermailError } from '../../shared/errors.js'
import { ApiErrorCode } from '../ipc/api.js'

/** Failures the local API itself reports (the backend's own codes pass through unchanged). */
export class AppError extends PeermailError {
  constructor(code: string, message: string) {
    super(code, message)
    this.name = 'AppError'
  }

  static INVALID_INPUT(what: string): AppError {
    return new AppError(ApiErrorCode.INVALID_INPUT, `Invalid input: ${what}`)
  }

  static BAD_REQUEST(why: string): AppError {
    return new AppError(ApiErrorCode.BAD_REQUEST, `Bad request: ${why}`)
  }

  static UNKNOWN_CALL(name: string): AppError {
    // The name came from a URL: quoted as JSON and cut short so it cannot forge a second line.
    return new AppError(
      ApiErrorCode.UNKNOWN_CALL,
      `No such call: ${JSON.stringify(name.slice(0, 64))}`,
    )
  }

  static UNAUTHORIZED(): AppError {
    return new AppError(ApiErrorCode.UNAUTHORIZED, 'Missing or wrong token')
  }

  static RATE_LIMITED(what: string, retryAfterMs: number): AppError {
    return new AppError(
      ApiErrorCode.RATE_LIMITED,
      `Too many ${what}: try again in ${Math.ceil(retryAfterMs / 1000)} s`,
    )
  }

  static BODY_TOO_LARGE(limit: number): AppError {
    return new AppError(ApiErrorCode.BODY_TOO_LARGE, `Request body over ${limit} bytes`)
  }
}
