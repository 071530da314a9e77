/**
 * Readers for request bodies. The caller is untrusted (a browser tab, a renderer), so every field is
 * checked for type and size before the backend sees it; a failure throws AppError.INVALID_INPUT.
 */
import { AppError } from './errors.js'

export type Fields = Record<string, unknown>

/** The body must be a plain object with no keys beyond `allowed`. */
export function fields(body: unknown, allowed: readonly string[]): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw AppError.INVALID_INPUT('the body must be a JSON object')
  const record = body as Fields
  for (const key of Object.keys(record))
    if (!allowed.includes(key))
      throw AppError.INVALID_INPUT(`unknown field ${JSON.stringify(key.slice(0, 64))}`)
  return record
}

export function text(f: Fields, key: string, max: number, min = 0): string {
  const value = f[key]
  if (typeof value !== 'string') throw AppError.INVALID_INPUT(`${key} must be a string`)
  if (value.length < min || value.length > max)
    throw AppError.INVALID_INPUT(`${key} must be ${min}..${max} characters`)
  return value
}

export function optionalText(f: Fields, key: string, max: number): string | undefined {
  return f[key] === undefined ? undefined : text(f, key, max)
}

export function integer(f: Fields, key: string, min: number, max: number): number {
  const value = f[key]
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw AppError.INVALID_INPUT(`${key} must be an integer in ${min}..${max}`)
  return value
}

export function optionalInteger(
  f: Fields,
  key: string,
  min: number,
  max: number,
): number | undefined {
  return f[key] === undefined ? undefined : integer(f, key, min, max)
}

export function optionalBoolean(f: Fields, key: string): boolean | undefined {
  const value = f[key]
  if (value === undefined) return undefined
  if (typeof value !== 'boolean') throw AppError.INVALID_INPUT(`${key} must be true or false`)
  return value
}

/** One string or a list of them (recipients), at most `maxItems` of at most `max` characters. */
export function textList(
  f: Fields,
  key: string,
  maxItems: number,
  max: number,
): string | string[] | undefined {
  const value = f[key]
  if (value === undefined) return undefined
  if (typeof value === 'string') return text(f, key, max)
  if (!Array.isArray(value) || value.length > maxItems)
    throw AppError.INVALID_INPUT(`${key} must be a string or a list of at most ${maxItems}`)
  return value.map((item: unknown) => {
    if (typeof item !== 'string' || item.length > max)
      throw AppError.INVALID_INPUT(`each ${key} must be a string of at most ${max} characters`)
    return item
  })
}

/** A mailbox id: 26 Crockford base32 characters (the backend answers MESSAGE_NOT_FOUND for the rest). */
export function messageId(f: Fields, key = 'id'): string {
  const value = text(f, key, 26, 26)
  if (!/^[0-9a-hjkmnp-tv-z]{26}$/.test(value))
    throw AppError.INVALID_INPUT(`${key} is not a message id`)
  return value
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Strict base64 (Buffer.from would quietly skip garbage and hand back different bytes). */
export function base64(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value))
    throw AppError.INVALID_INPUT(`${what} must be base64`)
  return Buffer.from(value, 'base64')
}
