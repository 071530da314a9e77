/**
 * The value every API boundary that must not throw (IPC, the local HTTP API) returns instead.
 */
export type Result<T> =
  { ok: true; value: T } | { ok: false; error: { code: string; message: string } }

/** Wraps a success. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

/** Wraps a failure given as a code and a one-line message. */
export function fail<T = never>(code: string, message: string): Result<T> {
  return { ok: false, error: { code, message } }
}
