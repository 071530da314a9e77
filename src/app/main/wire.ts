/**
 * Backend records → API shapes. Fields are copied by name, never spread, so a field added to a backend
 * record (a key, a path) cannot reach the renderer without someone adding it here on purpose.
 */
import type { Contact, MessageSummary, ReadMessage } from '../../client/index.js'
import type { ApiContact, ApiMessage, ApiMessageSummary } from '../ipc/api.js'

export function toSummary(m: MessageSummary): ApiMessageSummary {
  return {
    id: m.id,
    folder: m.folder,
    threadId: m.threadId,
    date: m.date,
    from: m.from.map(({ name, address }) => ({ name, address })),
    to: m.to.map(({ name, address }) => ({ name, address })),
    cc: m.cc.map(({ name, address }) => ({ name, address })),
    subject: m.subject,
    snippet: m.snippet,
    flags: { seen: m.flags.seen, flagged: m.flags.flagged, answered: m.flags.answered },
    labels: [...m.labels],
    hasAttachments: m.hasAttachments,
    size: m.size,
    ...(m.parseError
      ? { parseError: { code: m.parseError.code, message: m.parseError.message } }
      : {}),
    ...(m.delivery ? { delivery: { ...m.delivery } } : {}),
    ...(m.peer === undefined ? {} : { peer: m.peer }),
  }
}

export function toMessage(m: ReadMessage): ApiMessage {
  return {
    ...toSummary(m),
    ...(m.messageId === undefined ? {} : { messageId: m.messageId }),
    ...(m.inReplyTo === undefined ? {} : { inReplyTo: m.inReplyTo }),
    references: [...m.references],
    bcc: m.bcc.map(({ name, address }) => ({ name, address })),
    ...(m.text === undefined ? {} : { text: m.text }),
    ...(m.html === undefined ? {} : { html: m.html }),
    attachments: m.attachments.map((a, index) => ({
      index,
      ...(a.filename === undefined ? {} : { filename: a.filename }),
      contentType: a.contentType,
      size: a.size,
      ...(a.contentId === undefined ? {} : { contentId: a.contentId }),
      inline: a.inline,
    })),
  }
}

export function toContact(c: Contact): ApiContact {
  return {
    address: c.address,
    ...(c.petname === undefined ? {} : { petname: c.petname }),
    verified: c.verified,
    blocked: c.blocked,
    keyChanged: c.keyChange !== undefined,
  }
}
