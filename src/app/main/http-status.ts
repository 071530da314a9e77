import { ApiErrorCode } from '../ipc/api.js'

/** Error codes whose HTTP status is not 400 (protocol codes only at the edge: shared/style.md). */
const STATUS: Record<string, number> = {
  [ApiErrorCode.UNAUTHORIZED]: 401,
  [ApiErrorCode.UNKNOWN_CALL]: 404,
  [ApiErrorCode.BODY_TOO_LARGE]: 413,
  [ApiErrorCode.INTERNAL]: 500,
  [ApiErrorCode.RATE_LIMITED]: 429,
  MESSAGE_NOT_FOUND: 404,
  FOLDER_NOT_FOUND: 404,
  MESSAGE_TOO_LARGE: 413,
  FOLDER_EXISTS: 409,
  FOLDER_PROTECTED: 409,
  CONTACT_KEY_CHANGED: 409,
  NODE_CLOSED: 503,
  MAILBOX_CLOSED: 503,
  SYNC_CLOSED: 503,
}

/**
 * The HTTP status for a failed call. Anything coded and not listed is the caller's mistake (400): the
 * backend only throws coded errors for bad input or state, and uncoded ones are already API_INTERNAL.
 */
export function httpStatusOf(code: string): number {
  return STATUS[code] ?? 400
}
