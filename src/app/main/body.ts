import type { IncomingMessage } from 'node:http'
import { AppError } from './errors.js'

/**
 * Reads a JSON request body of at most `limit` bytes. A declared Content-Length over the limit is refused
 * before a byte is read; a body that grows past it (chunked) is refused as soon as it does, so memory stays
 * bounded by `limit` whatever the caller sends.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) throw AppError.BODY_TOO_LARGE(limit)
  const type = req.headers['content-type'] ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw AppError.BAD_REQUEST('Content-Type must be application/json')
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > limit) throw AppError.BODY_TOO_LARGE(limit)
    chunks.push(chunk)
  }
  const raw = Buffer.concat(chunks).toString('utf8')
  if (raw.trim() === '') return {}
  try {
    return JSON.parse(raw) as unknown
  } catch {
    throw AppError.BAD_REQUEST('the body is not valid JSON')
  }
}
