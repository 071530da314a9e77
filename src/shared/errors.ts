/**
 * Errors that cross a module boundary carry a stable `code`, so callers and tests branch on the code and
 * never on message text. Each layer keeps one registry of factories (see `src/crypto/errors.ts`); protocol
 * codes (SMTP replies, exit statuses, IPC results) are derived from `code` only at the edges.
 */
export class PeermailError extends Error {
  /** Stable, machine-readable identifier, e.g. `ADDRESS_CHECKSUM`. */
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PeermailError'
    this.code = code
  }
}

/** True when `err` is a {@link PeermailError}, optionally with the given code. */
export function isPeermailError(err: unknown, code?: string): err is PeermailError {
  return err instanceof PeermailError && (code === undefined || err.code === code)
}
