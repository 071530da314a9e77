/**
 * The local API contract (docs/cli.md, "serve"), shared by the server, the future Electron preload and the
 * renderer. Only plain JSON shapes live here: the renderer imports this module, so it may not reach into
 * client/ or mailbox/ (the layering lint enforces it). Every call answers with a {@link Result}; nothing
 * throws across the boundary, and nothing here ever carries a secret key.
 */
import type { Result } from '../../shared/result.js'

export type { Result }

/** A name and address as a header shows them. */
export interface ApiAddress {
  name: string
  address: string
}

export interface ApiFlags {
  seen: boolean
  flagged: boolean
  answered: boolean
}

export type ApiDeliveryState = 'queued' | 'relayed' | 'delivered' | 'failed'

/** One message in a listing: everything but the body. */
export interface ApiMessageSummary {
  id: string
  folder: string
  threadId: string
  /** ms since the epoch. */
  date: number
  from: ApiAddress[]
  to: ApiAddress[]
  cc: ApiAddress[]
  subject: string
  snippet: string
  flags: ApiFlags
  labels: string[]
  hasAttachments: boolean
  size: number
  parseError?: { code: string; message: string }
  delivery?: Record<string, ApiDeliveryState>
  /** The `pm1…` address the transport proved sent it (the From header is only a claim). */
  peer?: string
}

/** An attachment as listed with its message; its bytes come from the `attachment` call. */
export interface ApiAttachmentInfo {
  /** Position in the message, the `index` of the `attachment` call. */
  index: number
  filename?: string
  contentType: string
  size: number
  contentId?: string
  inline: boolean
}

/** A message opened for reading. `html` is the sender's, unsanitised: render it sandboxed only. */
export interface ApiMessage extends ApiMessageSummary {
  messageId?: string
  inReplyTo?: string
  references: string[]
  bcc: ApiAddress[]
  text?: string
  html?: string
  attachments: ApiAttachmentInfo[]
}

export interface ApiContact {
  address: string
  petname?: string
  verified: boolean
  blocked: boolean
  /** A different identity key was seen and not yet accepted. */
  keyChanged: boolean
  /** The 60 digits both sides compare (Peermail addresses only). */
  safetyNumber?: string
}

/** A folder in the sidebar: the built-ins first, then the user's own. */
export interface ApiFolder {
  name: string
  builtin: boolean
  total: number
  unread: number
}

/** What a draft holds; every field may still be incomplete. */
export interface ApiDraftInput {
  to?: string[]
  cc?: string[]
  bcc?: string[]
  subject?: string
  text?: string
  /** The id of the earlier version of this draft, which the new one replaces. */
  replaces?: string
}

export interface ApiPage {
  items: ApiMessageSummary[]
  /** Cursor of the next page; absent on the last one. */
  next?: string
}

export type ApiEmpty = Record<string, never>

/** An ordinary address this account holds on a bridge. */
export interface ApiAlias {
  alias: string
  /** The bridge's `pm1…` address. */
  bridge: string
}

/**
 * Local SMTP submission for mail apps: the user name they log in with, whether an app password exists,
 * and where submission listens when this server runs it (`peermail serve --smtp-port`).
 */
export interface ApiSmtpSubmission {
  user: string
  hasPassword: boolean
  listening?: { host: string; port: number }
}

/** The account's relays and how many it may have. */
export interface ApiRelays {
  relays: string[]
  max: number
}

/** Every call: its request body and the value of its successful Result. */
export interface ApiCalls {
  whoami: { request: ApiEmpty; response: { address: string } }
  /** The network as the node sees it: DHT answering, peers connected, relays reached, mail waiting. */
  connectivity: {
    request: ApiEmpty
    response: {
      online: boolean
      peers: string[]
      relays: { relay: string; connected: boolean }[]
      outgoing: { waiting: number; recipients: string[] }
    }
  }
  counts: { request: ApiEmpty; response: Record<string, { total: number; unread: number }> }
  listMessages: {
    request: { folder: string; limit?: number; cursor?: string; unread?: boolean }
    response: ApiPage
  }
  readMessage: { request: { id: string }; response: ApiMessage }
  attachment: {
    request: { id: string; index: number }
    response: ApiAttachmentInfo & { contentBase64: string }
  }
  search: { request: { query: string; limit?: number }; response: { items: ApiMessageSummary[] } }
  send: {
    request: {
      to: string | string[]
      cc?: string | string[]
      bcc?: string | string[]
      subject: string
      text?: string
      html?: string
      attachments?: { filename: string; contentBase64: string; contentType?: string }[]
      /** Mailbox id or Message-ID of the message answered. */
      inReplyTo?: string
    }
    response: { id: string }
  }
  status: { request: { id: string }; response: Record<string, ApiDeliveryState> }
  move: { request: { id: string; folder: string }; response: ApiMessageSummary }
  flag: {
    request: { id: string; seen?: boolean; flagged?: boolean }
    response: ApiMessageSummary
  }
  trash: { request: { id: string }; response: ApiMessageSummary }
  contacts: { request: ApiEmpty; response: ApiContact[] }
  acceptRequest: { request: { address: string }; response: { moved: number } }
  block: { request: { address: string; blocked?: boolean }; response: { blocked: boolean } }
  folders: { request: ApiEmpty; response: ApiFolder[] }
  createFolder: { request: { name: string }; response: ApiFolder }
  thread: { request: { threadId: string }; response: { items: ApiMessageSummary[] } }
  saveDraft: { request: ApiDraftInput; response: ApiMessageSummary }
  deleteDraft: { request: { id: string }; response: { deleted: boolean } }
  addContact: { request: { address: string; petname?: string }; response: ApiContact }
  /** Marks a contact verified once the user compared `safetyNumber` (checked again here). */
  verifyContact: { request: { address: string; safetyNumber: string }; response: ApiContact }
  /** Relays take effect the next time the account goes online (as with `peermail relays`). */
  relays: { request: ApiEmpty; response: ApiRelays }
  addRelay: { request: { address: string }; response: ApiRelays }
  removeRelay: { request: { address: string }; response: ApiRelays }
  aliases: { request: ApiEmpty; response: ApiAlias[] }
  /** Asks the bridge for the alias (it may refuse: taken, wrong domain); answers the new list. */
  addAlias: { request: { alias: string; bridge: string }; response: ApiAlias[] }
  removeAlias: { request: { alias: string }; response: ApiAlias[] }
  /**
   * The recovery phrase, only for the right passphrase, and only a few tries a minute. The one call that
   * answers a secret: it never travels as an event.
   */
  recoveryPhrase: { request: { passphrase: string }; response: { phrase: string } }
  smtpSubmission: { request: ApiEmpty; response: ApiSmtpSubmission }
  /**
   * A new app password for mail apps, replacing the old one: for the right passphrase only, counted with
   * the recovery phrase's tries. Shown once: it is never stored or pushed as an event.
   */
  renewSmtpPassword: {
    request: { passphrase: string }
    response: ApiSmtpSubmission & { password: string }
  }
  revokeSmtpPassword: { request: ApiEmpty; response: ApiSmtpSubmission }
  /** Senders whose remote images are loaded (bare `pm1…` or lower-case ordinary addresses). */
  remoteContent: { request: ApiEmpty; response: { senders: string[] } }
  setRemoteContent: {
    request: { sender: string; allowed: boolean }
    response: { senders: string[] }
  }
}

export type ApiCallName = keyof ApiCalls
export type ApiRequest<N extends ApiCallName> = ApiCalls[N]['request']
export type ApiResponse<N extends ApiCallName> = Result<ApiCalls[N]['response']>

/** The allowlist: the server routes, and the preload exposes, these names and no others. */
export const API_CALLS = [
  'whoami',
  'connectivity',
  'counts',
  'listMessages',
  'readMessage',
  'attachment',
  'search',
  'send',
  'status',
  'move',
  'flag',
  'trash',
  'contacts',
  'acceptRequest',
  'block',
  'folders',
  'createFolder',
  'thread',
  'saveDraft',
  'deleteDraft',
  'addContact',
  'verifyContact',
  'relays',
  'addRelay',
  'removeRelay',
  'aliases',
  'addAlias',
  'removeAlias',
  'recoveryPhrase',
  'smtpSubmission',
  'renewSmtpPassword',
  'revokeSmtpPassword',
  'remoteContent',
  'setRemoteContent',
] as const satisfies readonly ApiCallName[]

/** True when `name` is one of {@link API_CALLS} (names come from URLs, so they are checked). */
export function isApiCallName(name: string): name is ApiCallName {
  return (API_CALLS as readonly string[]).includes(name)
}

/** What the server pushes (over the WebSocket at {@link EVENTS_PATH}). */
export type ApiEvent =
  | { type: 'hello' }
  | { type: 'mail'; summary: ApiMessageSummary }
  | { type: 'delivery'; update: { id: string; recipient: string; state: ApiDeliveryState } }
  | { type: 'relay'; status: { relay: string; quotaBytes: number; usedBytes: number } }

/** The WebSocket of pushed events. */
export const EVENTS_PATH = '/api/ws'
/** The subprotocol the event socket speaks; the token travels as a second one, `token.<token>`. */
export const EVENTS_PROTOCOL = 'peermail.v1'
export const TOKEN_PROTOCOL_PREFIX = 'token.'

/** Codes the API layer itself produces; codes from the backend (MESSAGE_NOT_FOUND…) pass through. */
export const ApiErrorCode = {
  UNAUTHORIZED: 'API_UNAUTHORIZED',
  UNKNOWN_CALL: 'API_UNKNOWN_CALL',
  BAD_REQUEST: 'API_BAD_REQUEST',
  INVALID_INPUT: 'INVALID_INPUT',
  BODY_TOO_LARGE: 'API_BODY_TOO_LARGE',
  INTERNAL: 'API_INTERNAL',
  RATE_LIMITED: 'API_RATE_LIMITED',
} as const
