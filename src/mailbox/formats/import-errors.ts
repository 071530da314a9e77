import { MailboxError } from '../errors.js'

/**
 * How import errors name what went wrong: the file, then the message within it. The registry's factories
 * say what is wrong; these helpers add where, keeping the factory's `code`.
 */

/** `message 3 (From_ line at byte 1234)`: `index` counts from 0, the text from 1 as people do. */
export function describeMessage(index: number, offset: number): string {
  return `message ${index + 1} (From_ line at byte ${offset})`
}

/** `err` with `file, where: ` in front of its message; same code, the original kept as `cause`. */
export function withLocation(err: MailboxError, file: string, where?: string): MailboxError {
  const place = where === undefined ? file : `${file}, ${where}`
  return new MailboxError(err.code, `${place}: ${err.message}`, { cause: err })
}

/**
 * A file-system error while opening an import, as IMPORT_FORMAT when it is about the path the user gave
 * (missing, a directory, unreadable); anything else is returned unchanged.
 */
export function openError(file: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code
  const reason =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EISDIR'
        ? 'is a directory, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : undefined
  if (reason === undefined) return err
  const wrapped = MailboxError.IMPORT_FORMAT(file, reason)
  return Object.assign(wrapped, { cause: err })
}
