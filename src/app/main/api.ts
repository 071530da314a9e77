/**
 * The local API over an open {@link Account}: one handler per call of the contract in app/ipc/api.ts.
 * Input is validated here (the caller is untrusted); errors become `{ ok: false, error: { code, message } }`
 * and a stack never leaves the process.
 */
import {
  ClientError,
  PEER_MAIL_DOMAIN,
  peerIdentityOf,
  safetyNumber,
  type Account,
  type Contact,
} from '../../client/index.js'
import { composeMessage, parseAddressList, type MailAddress } from '../../mailbox/index.js'
import { isPeermailError } from '../../shared/errors.js'
import { fail, ok } from '../../shared/result.js'
import { ApiErrorCode, type ApiCallName, type ApiContact, type ApiResponse } from '../ipc/api.js'
import { AttemptLimit } from '../../shared/attempt-limit.js'
import { peerAddressOf, PHRASE_ATTEMPTS, type ApiContext, type Handler } from './handler.js'
import { settingsHandlers } from './settings-api.js'
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
  threadId: 256,
  petname: 100,
  draftText: 1_000_000,
}

/** Exhaustive by type: a call added to the contract does not compile until it has a handler. */
const handlers: { [N in ApiCallName]: Handler<N> } = {
  whoami: (account, body) => {
    fields(body, [])
    return Promise.resolve({ address: account.address })
  },
  connectivity: (account, body) => {
    fields(body, [])
    return account.connectivity()
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
    return (await account.mailbox.store.contacts.list()).map((c) => contactOf(account, c))
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
  folders: async (account, body) => {
    fields(body, [])
    return (await account.mailbox.store.folders.list()).map(({ name, builtin, total, unread }) => ({
      name,
      builtin,
      total,
      unread,
    }))
  },
  createFolder: async (account, body) => {
    const name = text(fields(body, ['name']), 'name', LIMITS.folder, 1)
    const { builtin } = await account.mailbox.store.folders.create(name)
    return { name, builtin, total: 0, unread: 0 }
  },
  thread: async (account, body) => {
    const threadId = text(fields(body, ['threadId']), 'threadId', LIMITS.threadId, 1)
    return { items: (await account.mailbox.thread(threadId)).map(toSummary) }
  },
  saveDraft: async (account, body) => {
    const f = fields(body, ['to', 'cc', 'bcc', 'subject', 'text', 'replaces'])
    const list = (key: string) =>
      draftAddresses(textList(f, key, LIMITS.recipients, LIMITS.address))
    const replaces = f.replaces === undefined ? undefined : messageId(f, 'replaces')
    const raw = await composeMessage({
      from: { name: '', address: `${account.address}@${PEER_MAIL_DOMAIN}` },
      to: list('to'),
      cc: list('cc'),
      bcc: list('bcc'),
      subject: (optionalText(f, 'subject', LIMITS.subject) ?? '').replace(/[\r\n]+/g, ' '),
      text: optionalText(f, 'text', LIMITS.draftText) ?? '',
      // A draft never leaves this mailbox, and reopened it must still show who was to get a blind copy.
      keepBcc: true,
    })
    const saved = await account.mailbox.store.saveDraft(
      raw,
      replaces === undefined ? {} : { replaces },
    )
    return toSummary(saved)
  },
  deleteDraft: async (account, body) => {
    const id = messageId(fields(body, ['id']))
    const record = await account.mailbox.store.get(id)
    if (record.folder !== 'drafts') throw AppError.INVALID_INPUT(`${id} is not a draft`)
    await account.mailbox.store.deleteForever(id)
    return { deleted: true }
  },
  addContact: async (account, body) => {
    const f = fields(body, ['address', 'petname'])
    const address = peerAddressOf(text(f, 'address', LIMITS.address, 1))
    const petname = optionalText(f, 'petname', LIMITS.petname)
    const contacts = account.mailbox.store.contacts
    await contacts.put(address, petname === undefined ? {} : { petname })
    const key = peerIdentityOf(address)
    if (key) await contacts.observeKey(address, key.toString('hex'))
    const contact = await contacts.get(address)
    if (!contact) throw AppError.INVALID_INPUT(`no contact ${address}`)
    return contactOf(account, contact)
  },
  verifyContact: async (account, body) => {
    const f = fields(body, ['address', 'safetyNumber'])
    const address = peerAddressOf(text(f, 'address', LIMITS.address, 1))
    const digits = text(f, 'safetyNumber', 200, 1).replace(/\s+/g, '')
    const theirs = peerIdentityOf(address)
    const mine = peerIdentityOf(account.address)
    if (!theirs || !mine)
      throw AppError.INVALID_INPUT('only Peermail addresses have a safety number')
    // Recomputed here: the renderer is untrusted, so it cannot mark a contact verified on its word.
    if (!/^\d{60}$/.test(digits) || digits !== safetyNumber(mine, theirs).replace(/\s+/g, ''))
      throw ClientError.SAFETY_NUMBER_MISMATCH(address)
    const contacts = account.mailbox.store.contacts
    const hex = theirs.toString('hex')
    if (!(await contacts.get(address))) await contacts.put(address)
    await contacts.observeKey(address, hex)
    return contactOf(account, await contacts.verify(address, hex))
  },
  ...settingsHandlers,
}

/** A contact as the UI shows it, with the safety number to compare for Peermail addresses. */
function contactOf(account: Account, contact: Contact): ApiContact {
  const theirs = peerIdentityOf(contact.address)
  const mine = peerIdentityOf(account.address)
  return {
    ...toContact(contact),
    ...(theirs && mine ? { safetyNumber: safetyNumber(mine, theirs) } : {}),
  }
}

/** A draft keeps the recipients typed so far that parse; a half-typed one is dropped, not an error. */
function draftAddresses(list: string | string[] | undefined): MailAddress[] {
  const out: MailAddress[] = []
  for (const item of typeof list === 'string' ? [list] : (list ?? [])) {
    const bare = item.trim().toLowerCase().replace(/@.*$/, '')
    if (peerIdentityOf(item)) {
      out.push({ name: '', address: `${bare}@${PEER_MAIL_DOMAIN}` })
      continue
    }
    try {
      out.push(...parseAddressList(item))
    } catch {
      // Not an address yet.
    }
  }
  return out
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
  options: { submission?: { host: string; port: number } } = {},
): LocalApi {
  const context: ApiContext = {
    phraseAttempts: new AttemptLimit(PHRASE_ATTEMPTS),
    ...(options.submission ? { submission: options.submission } : {}),
  }
  return {
    async call(name, body) {
      try {
        const handler = handlers[name] as Handler<typeof name>
        return ok(await handler(account, body, context))
      } catch (err) {
        if (isPeermailError(err)) return fail(err.code, err.message)
        onUnexpected(err)
        return fail(ApiErrorCode.INTERNAL, 'Internal error')
      }
    },
  }
}
