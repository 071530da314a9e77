/**
 * The local API over an open {@link Account}: one handler per call of the contract in app/ipc/api.ts.
 * Input is validated here (the caller is untrusted); errors become `{ ok: false, error: { code, message } }`
 * and a stack never leaves the process.
 */
import type { Account } from '../../client/index.js'
import { isPeermailError } from '../../shared/errors.js'
import { fail, ok } from '../../shared/result.js'
import { ApiErrorCode, type ApiCallName, type ApiCalls, type ApiResponse } from '../ipc/api.js'
import { AppError } from './errors.js'
import {
  base64,
  fields,
  integer,
  messageId,
  optionalBoolean,
  optionalInteger,
  optionalText,
  text,
  textList,
} from './validate.js'
import { toContact, toMessage, toSummary } from './wire.js'

/** Bounds on what one call may ask for; generous for people, tight enough to refuse abuse. */
const LIMITS = {
  pageSize: 500,
  cursor: 1024,
  folder: 128,
  query: 1024,
  address: 512,
  recipients: 100,
  subject: 998,
  attachments: 100,
  filename: 255,
  contentType: 255,
  messageRef: 1024,
}

type Handler<N extends ApiCallName> = (
  account: Account,
  body: unknown,
) => Promise<ApiCalls[N]['response']>

/** Exhaustive by type: a call added to the contract does not compile until it has a handler. */
const handlers: { [N in ApiCallName]: Handler<N> } = {
  whoami: (account, body) => {
    fields(body, [])
    return Promise.resolve({ address: account.address })
  },
  counts: async (account, body) => {
    fields(body, [])
    return account.mailbox.counts()
  },
  listMessages: async (account, body) => {
    const f = fields(body, ['folder', 'limit', 'cursor', 'unread'])
    const folder = text(f, 'folder', LIMITS.folder, 1)
    const limit = optionalInteger(f, 'limit', 1, LIMITS.pageSize)
    const cursor = optionalText(f, 'cursor', LIMITS.cursor)
    const unread = optionalBoolean(f, 'unread')
    const page = await account.mailbox.page({
      folder,
      ...(limit === undefined ? {} : { limit }),
      ...(cursor === undefined ? {} : { cursor }),
      ...(unread === undefined ? {} : { unread }),
    })
    return { items: page.items.map(toSummary), ...(page.next ? { next: page.next } : {}) }
  },
  readMessage: async (account, body) => {
    const id = messageId(fields(body, ['id']))
    return toMessage(await account.mailbox.read(id))
  },
  attachment: async (account, body) => {
    const f = fields(body, ['id', 'index'])
    const id = messageId(f)
    const index = integer(f, 'index', 0, 10_000)
    const message = await account.mailbox.read(id)
    const part = message.attachments[index]
    if (!part) throw AppError.INVALID_INPUT(`message ${id} has no attachment ${index}`)
    const info = toMessage(message).attachments[index]
    if (!info) throw AppError.INVALID_INPUT(`message ${id} has no attachment ${index}`)
    return { ...info, contentBase64: part.content.toString('base64') }
  },
  search: async (account, body) => {
    const f = fields(body, ['query', 'limit'])
    const query = text(f, 'query', LIMITS.query, 1)
    const limit = optionalInteger(f, 'limit', 1, LIMITS.pageSize)
    const items = await account.mailbox.search(query, limit === undefined ? {} : { limit })
    return { items: items.map(toSummary) }
  },
  send: async (account, body) => {
    const input = sendInput(body)
    return account.send(input)
  },
  status: async (account, body) => account.status(messageId(fields(body, ['id']))),
  move: async (account, body) => {
    const f = fields(body, ['id', 'folder'])
    const id = messageId(f)
    return toSummary(await account.mailbox.move(id, text(f, 'folder', LIMITS.folder, 1)))
  },
  flag: async (account, body) => {
    const f = fields(body, ['id', 'seen', 'flagged'])
    const id = messageId(f)
    const seen = optionalBoolean(f, 'seen')
    const flagged = optionalBoolean(f, 'flagged')
    if (seen === undefined && flagged === undefined)
      throw AppError.INVALID_INPUT('flag needs seen or flagged')
    return toSummary(
      await account.mailbox.flag(id, {
        ...(seen === undefined ? {} : { seen }),
        ...(flagged === undefined ? {} : { flagged }),
      }),
    )
  },
  trash: async (account, body) =>
    toSummary(await account.mailbox.trash(messageId(fields(body, ['id'])))),
  contacts: async (account, body) => {
    fields(body, [])
    return (await account.mailbox.store.contacts.list()).map(toContact)
  },
  acceptRequest: async (account, body) => {
    const address = text(fields(body, ['address']), 'address', LIMITS.address, 1)
    return { moved: await account.acceptRequest(address) }
  },
  block: async (account, body) => {
    const f = fields(body, ['address', 'blocked'])
    const address = text(f, 'address', LIMITS.address, 1)
    const blocked = optionalBoolean(f, 'blocked') ?? true
    await account.block(address, blocked)
    return { blocked }
  },
}

function sendInput(body: unknown): Parameters<Account['send']>[0] {
  const f = fields(body, ['to', 'cc', 'bcc', 'subject', 'text', 'html', 'attachments', 'inReplyTo'])
  const list = (key: string) => textList(f, key, LIMITS.recipients, LIMITS.address)
  const to = list('to')
  if (to === undefined) throw AppError.INVALID_INPUT('to is required')
  const cc = list('cc')
  const bcc = list('bcc')
  // Bodies are bounded by the request size limit (server.ts), not again here.
  const plain = optionalText(f, 'text', Number.MAX_SAFE_INTEGER)
  const html = optionalText(f, 'html', Number.MAX_SAFE_INTEGER)
  const inReplyTo = optionalText(f, 'inReplyTo', LIMITS.messageRef)
  const attachments = f.attachments === undefined ? undefined : attachmentsOf(f.attachments)
  return {
    to,
    subject: text(f, 'subject', LIMITS.subject),
    ...(cc === undefined ? {} : { cc }),
    ...(bcc === undefined ? {} : { bcc }),
    ...(plain === undefined ? {} : { text: plain }),
    ...(html === undefined ? {} : { html }),
    ...(inReplyTo === undefined ? {} : { inReplyTo }),
    ...(attachments === undefined ? {} : { attachments }),
  }
}

function attachmentsOf(
  value: unknown,
): { filename: string; content: Buffer; contentType?: string }[] {
  if (!Array.isArray(value) || value.length > LIMITS.attachments)
    throw AppError.INVALID_INPUT(`attachments must be a list of at most ${LIMITS.attachments}`)
  return value.map((item: unknown, i) => {
    const f = fields(item, ['filename', 'contentBase64', 'contentType'])
    const contentType = optionalText(f, 'contentType', LIMITS.contentType)
    return {
      filename: text(f, 'filename', LIMITS.filename, 1),
      content: base64(f.contentBase64, `attachments[${i}].contentBase64`),
      ...(contentType === undefined ? {} : { contentType }),
    }
  })
}

/** The API bound to one account: `call` never throws. */
export interface LocalApi {
  call<N extends ApiCallName>(name: N, body: unknown): Promise<ApiResponse<N>>
}

/**
 * Creates the API over `account`. `onUnexpected` hears about errors that carry no code (bugs), which the
 * caller only ever sees as API_INTERNAL.
 */
export function createLocalApi(
  account: Account,
  onUnexpected: (err: unknown) => void = () => {},
): LocalApi {
  return {
    async call(name, body) {
      try {
        const handler = handlers[name] as Handler<typeof name>
        return ok(await handler(account, body))
      } catch (err) {
        if (isPeermailError(err)) return fail(err.code, err.message)
        onUnexpected(err)
        return fail(ApiErrorCode.INTERNAL, 'Internal error')
      }
    },
  }
}
