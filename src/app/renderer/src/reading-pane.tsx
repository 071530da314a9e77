import { useMemo } from 'react'
import type { ApiContact, ApiFolder, ApiMessage, ApiMessageSummary } from '../../ipc/api.js'
import {
  bareAddress,
  displayName,
  folderLabel,
  fullDate,
  listDate,
  shortAddress,
  sizeOf,
  avatarHue,
  initialOf,
  type Petnames,
} from './format.js'
import { Avatar, Icon } from './icons.js'
import { MailFrame } from './mail-frame.js'
import { DeliveryTicks } from './message-list.js'
import { remoteContentSender } from './remote-content.js'
import { sanitizeMail, type InlineParts } from './sanitize.js'

export interface ReadingPaneProps {
  message: ApiMessage | undefined
  thread: ApiMessageSummary[]
  inlineParts: InlineParts
  folders: ApiFolder[]
  contacts: ApiContact[]
  petnames: Petnames
  onReply: (all: boolean) => void
  onForward: () => void
  onMove: (folder: string) => void
  onTrash: () => void
  onFlag: () => void
  onOpen: (id: string) => void
  onDownload: (index: number) => void
  onAccept: (address: string) => void
  onBlock: (address: string) => void
  onLink: (href: string, text: string) => void
  /** Senders whose remote images load (the account's allow list). */
  remoteSenders: string[]
  /** Allows (true) or stops allowing (false) remote content from a sender. */
  onRemoteContent: (sender: string, allowed: boolean) => void
}

function People({
  label,
  list,
  petnames,
}: {
  label: string
  list: ApiMessage['to']
  petnames: Petnames
}) {
  if (list.length === 0) return null
  return (
    <div className="hdr-line">
      <span className="hdr-label">{label}</span>
      <span>
        {list.map((a, i) => (
          <span key={i} className="person" title={a.address}>
            {displayName(a, petnames)}
            {i < list.length - 1 ? ', ' : ''}
          </span>
        ))}
      </span>
    </div>
  )
}

export function ReadingPane(props: ReadingPaneProps) {
  const { message, petnames } = props
  const remoteSender = message === undefined ? undefined : remoteContentSender(message)
  const remoteAllowed = remoteSender !== undefined && props.remoteSenders.includes(remoteSender)
  const sanitized = useMemo(
    () =>
      message?.html === undefined
        ? undefined
        : sanitizeMail(message.html, props.inlineParts, { remoteImages: remoteAllowed }),
    [message?.html, props.inlineParts, remoteAllowed],
  )
  if (!message)
    return (
      <section className="reading empty" aria-label="Reading pane">
        <div className="empty-state">
          <Icon name="inbox" size={40} />
          <p>No message selected</p>
          <p className="hint">
            Press <kbd>j</kbd> / <kbd>k</kbd> to move, <kbd>c</kbd> to write
          </p>
        </div>
      </section>
    )
  const sender = message.from[0]
  const peer = message.peer
  const contact =
    peer === undefined ? undefined : props.contacts.find((c) => bareAddress(c.address) === peer)
  const isRequest = message.folder === 'requests' && peer !== undefined
  const spoofed = peer !== undefined && sender !== undefined && bareAddress(sender.address) !== peer
  const attachments = message.attachments.filter((a) => !(a.inline && a.contentId && message.html))
  return (
    <section className="reading" aria-label="Reading pane">
      <div className="toolbar reading-toolbar" role="toolbar" aria-label="Message actions">
        <button
          type="button"
          onClick={() => {
            props.onReply(false)
          }}
          title="Reply (r)"
        >
          <Icon name="reply" /> <span>Reply</span>
        </button>
        <button
          type="button"
          onClick={() => {
            props.onReply(true)
          }}
          title="Reply all (a)"
        >
          <Icon name="replyAll" /> <span>Reply all</span>
        </button>
        <button type="button" onClick={props.onForward} title="Forward (f)">
          <Icon name="forward" /> <span>Forward</span>
        </button>
        <span className="toolbar-gap" />
        <button
          type="button"
          onClick={() => {
            props.onMove('archive')
          }}
          title="Archive (e)"
          aria-label="Archive"
        >
          <Icon name="archive" />
        </button>
        <button
          type="button"
          onClick={props.onFlag}
          title={message.flags.flagged ? 'Unflag' : 'Flag'}
          aria-label={message.flags.flagged ? 'Unflag' : 'Flag'}
          aria-pressed={message.flags.flagged}
        >
          <Icon name="flag" />
        </button>
        <button
          type="button"
          onClick={props.onTrash}
          title="Move to Trash (#)"
          aria-label="Move to Trash"
        >
          <Icon name="trash" />
        </button>
        <label className="move-to">
          <span className="sr-only">Move to folder</span>
          <select
            aria-label="Move to folder"
            value=""
            onChange={(e) => {
              if (e.target.value) props.onMove(e.target.value)
            }}
          >
            <option value="">Move to…</option>
            {props.folders
              .filter((f) => f.name !== message.folder && f.name !== 'drafts')
              .map((f) => (
                <option key={f.name} value={f.name}>
                  {folderLabel(f.name)}
                </option>
              ))}
          </select>
        </label>
      </div>
      <div className="reading-scroll">
        <header className="msg-header">
          <h1 className="msg-subject">{message.subject || '(no subject)'}</h1>
          <div className="msg-from">
            <Avatar
              name={initialOf(displayName(sender, petnames))}
              hue={avatarHue(peer ?? sender?.address ?? '')}
            />
            <div className="msg-from-text">
              <div className="msg-from-name">
                {displayName(sender, petnames)}
                {contact?.verified && (
                  <span className="badge verified" title="Safety number verified">
                    <Icon name="verified" size={14} /> Verified
                  </span>
                )}
                {contact?.keyChanged && <span className="badge warn">Key changed</span>}
              </div>
              <div className="msg-from-address" title={peer ?? sender?.address}>
                {bareAddress(peer ?? sender?.address ?? '')}
              </div>
            </div>
            <div className="msg-date">
              <DeliveryTicks message={message} /> {fullDate(message.date)}
            </div>
          </div>
          <People label="To" list={message.to} petnames={petnames} />
          <People label="Cc" list={message.cc} petnames={petnames} />
          <People label="Bcc" list={message.bcc} petnames={petnames} />
        </header>
        {isRequest && (
          <div className="banner request" role="region" aria-label="Message request">
            <Icon name="requests" />
            <div className="banner-text">
              <strong>A message request.</strong> {shortAddress(peer)} is not in your contacts.
              Accept to move their mail to your inbox; refuse to drop this message; block to refuse
              everything from them.
            </div>
            <button
              type="button"
              className="primary"
              onClick={() => {
                props.onAccept(peer)
              }}
            >
              Accept
            </button>
            <button type="button" onClick={props.onTrash}>
              Refuse
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                props.onBlock(peer)
              }}
            >
              Block
            </button>
          </div>
        )}
        {spoofed && (
          <div className="banner warn" role="alert">
            <Icon name="spam" />
            <div className="banner-text">
              The From header says {sender.address}, but this mail was sent by {shortAddress(peer)}.
            </div>
          </div>
        )}
        {message.parseError && (
          <div className="banner warn" role="alert">
            <Icon name="spam" />
            <div className="banner-text">
              This message could not be fully read ({message.parseError.code}).
            </div>
          </div>
        )}
        {sanitized && remoteAllowed && sanitized.loadedRemote + sanitized.blockedRemote > 0 && (
          <div
            className="banner remote"
            role="region"
            aria-label="Remote content"
            data-testid="remote-allowed"
          >
            <Icon name="image" />
            <div className="banner-text">
              Remote images are loaded: you allowed them for {shortAddress(remoteSender)}.
            </div>
            <button
              type="button"
              onClick={() => {
                props.onRemoteContent(remoteSender, false)
              }}
            >
              Stop loading remote content from {shortAddress(remoteSender)}
            </button>
          </div>
        )}
        {sanitized && !remoteAllowed && sanitized.blockedRemote > 0 && (
          <div
            className="banner remote"
            role="region"
            aria-label="Remote content"
            data-testid="remote-blocked"
          >
            <Icon name="image" />
            <div className="banner-text" role="status">
              Remote content blocked ({sanitized.blockedRemote}{' '}
              {sanitized.blockedRemote === 1 ? 'item' : 'items'}): it could tell the sender when and
              where you read this.
            </div>
            {remoteSender !== undefined && (
              <button
                type="button"
                onClick={() => {
                  props.onRemoteContent(remoteSender, true)
                }}
              >
                Always load remote content from {shortAddress(remoteSender)}
              </button>
            )}
          </div>
        )}
        <div className="msg-body">
          {sanitized ? (
            <MailFrame
              html={sanitized.html}
              title={`Message: ${message.subject}`}
              onLink={props.onLink}
            />
          ) : (
            <div className="msg-text">{message.text ?? ''}</div>
          )}
        </div>
        {attachments.length > 0 && (
          <section className="attachments" aria-label="Attachments">
            {attachments.map((a) => (
              <button
                key={a.index}
                type="button"
                className="attachment"
                onClick={() => {
                  props.onDownload(a.index)
                }}
                title={`Download ${a.filename ?? 'attachment'}`}
                aria-label={`Download ${a.filename ?? 'attachment'} (${sizeOf(a.size)})`}
              >
                <Icon name="attach" />
                <span className="attachment-name">{a.filename ?? `attachment ${a.index + 1}`}</span>
                <span className="attachment-size">{sizeOf(a.size)}</span>
                <Icon name="download" size={16} />
              </button>
            ))}
          </section>
        )}
        {props.thread.length > 1 && (
          <section className="thread" aria-label="Conversation">
            <h2>Conversation · {props.thread.length} messages</h2>
            <ol>
              {props.thread.map((m) => (
                <li key={m.id}>
                  <button
                    type="button"
                    className={`thread-item ${m.id === message.id ? 'current' : ''}`}
                    aria-current={m.id === message.id ? 'true' : undefined}
                    onClick={() => {
                      props.onOpen(m.id)
                    }}
                  >
                    <span className="thread-from">{displayName(m.from[0], petnames)}</span>
                    <span className="thread-snippet">{m.snippet || m.subject}</span>
                    <span className="thread-meta">
                      {folderLabel(m.folder)} · {listDate(m.date)}
                    </span>
                  </button>
                </li>
              ))}
            </ol>
          </section>
        )}
      </div>
    </section>
  )
}
