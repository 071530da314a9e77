import { useEffect, useRef, useState } from 'react'
import type { ApiContact } from '../../ipc/api.js'
import { sizeOf } from './format.js'
import { Icon } from './icons.js'

export interface ComposeAttachment {
  filename: string
  contentType: string
  contentBase64: string
  size: number
}

export interface ComposeState {
  to: string
  cc: string
  bcc: string
  subject: string
  text: string
  attachments: ComposeAttachment[]
  /** Mailbox id of the message answered. */
  inReplyTo?: string
  /** The saved draft this compose replaces on each autosave. */
  draftId?: string
  title: string
}

export function emptyCompose(): ComposeState {
  return { to: '', cc: '', bcc: '', subject: '', text: '', attachments: [], title: 'New message' }
}

export function splitRecipients(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** Drafts save this long after the last keystroke. */
const AUTOSAVE_MS = 1200

export interface ComposeProps {
  initial: ComposeState
  contacts: ApiContact[]
  /** Saves the draft; resolves with its new id (or undefined when saving failed). */
  saveDraft: (state: ComposeState) => Promise<string | undefined>
  send: (state: ComposeState) => Promise<boolean>
  /** Closes the window; the draft stays in Drafts. */
  close: () => void
  /** Throws the draft away (deleting its saved version, if any). */
  discard: (draftId: string | undefined) => void
  onError: (message: string) => void
}

function readFile(file: File): Promise<ComposeAttachment> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : ''
      resolve({
        filename: file.name,
        contentType: file.type || 'application/octet-stream',
        contentBase64: url.slice(url.indexOf(',') + 1),
        size: file.size,
      })
    }
    reader.onerror = () => {
      reject(reader.error ?? new Error('unreadable file'))
    }
    reader.readAsDataURL(file)
  })
}

export function Compose(props: ComposeProps) {
  const [state, setState] = useState(props.initial)
  const [showCc, setShowCc] = useState(props.initial.cc !== '' || props.initial.bcc !== '')
  const [status, setStatus] = useState('')
  const [sending, setSending] = useState(false)
  const [dragging, setDragging] = useState(false)
  const draftId = useRef(props.initial.draftId)
  const saving = useRef<Promise<unknown>>(Promise.resolve())
  const dirty = useRef(false)
  const closed = useRef(false)
  const fileInput = useRef<HTMLInputElement>(null)
  const firstField = useRef<HTMLInputElement>(null)
  const body = useRef<HTMLTextAreaElement>(null)

  useEffect(() => {
    if (props.initial.to) body.current?.focus()
    else firstField.current?.focus()
    if (props.initial.inReplyTo !== undefined) body.current?.setSelectionRange(0, 0)
  }, [props.initial])

  const saveDraft = useRef(props.saveDraft)
  saveDraft.current = props.saveDraft

  // Autosave: after a pause in typing, one save at a time, each replacing the previous version. Only
  // edits schedule a save (not re-renders of the app), and a save clears `dirty` for what it writes.
  useEffect(() => {
    if (!dirty.current) return
    const timer = window.setTimeout(() => {
      saving.current = saving.current.then(async () => {
        if (closed.current || !dirty.current) return
        dirty.current = false
        const id = await saveDraft.current({
          ...state,
          ...(draftId.current ? { draftId: draftId.current } : {}),
        })
        if (id === undefined) dirty.current = true
        else {
          draftId.current = id
          setStatus(
            `Draft saved ${new Date().toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`,
          )
        }
      })
    }, AUTOSAVE_MS)
    return () => {
      window.clearTimeout(timer)
    }
  }, [state])

  const latest = useRef(state)
  latest.current = state
  /** Closing saves what the autosave has not yet, then closes. */
  const closeKeepingDraft = () => {
    const pending = dirty.current && !closed.current
    closed.current = true
    saving.current = saving.current.then(async () => {
      if (!pending || !dirty.current) return
      dirty.current = false
      const id = await saveDraft.current({
        ...latest.current,
        ...(draftId.current ? { draftId: draftId.current } : {}),
      })
      if (id !== undefined) draftId.current = id
    })
    void saving.current.then(props.close)
  }

  const update = (patch: Partial<ComposeState>) => {
    dirty.current = true
    setState((s) => ({ ...s, ...patch }))
  }

  const addFiles = async (files: FileList | File[]) => {
    try {
      const read = await Promise.all([...files].map(readFile))
      update({ attachments: [...state.attachments, ...read] })
    } catch {
      props.onError('A file could not be read')
    }
  }

  const send = async () => {
    if (splitRecipients(state.to).length === 0) {
      props.onError('Add at least one recipient')
      return
    }
    setSending(true)
    closed.current = true
    await saving.current
    const ok = await props.send({
      ...state,
      ...(draftId.current ? { draftId: draftId.current } : {}),
    })
    if (!ok) {
      closed.current = false
      setSending(false)
    }
  }

  return (
    <div
      className={`compose ${dragging ? 'dragging' : ''}`}
      role="dialog"
      aria-modal="false"
      aria-label={state.title}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) void send()
        if (e.key === 'Escape') closeKeepingDraft()
        e.stopPropagation()
      }}
      onDragOver={(e) => {
        e.preventDefault()
        setDragging(true)
      }}
      onDragLeave={() => {
        setDragging(false)
      }}
      onDrop={(e) => {
        e.preventDefault()
        setDragging(false)
        if (e.dataTransfer.files.length > 0) void addFiles(e.dataTransfer.files)
      }}
    >
      <div className="compose-title">
        <h2>{state.title}</h2>
        <button
          type="button"
          className="icon-button"
          aria-label="Close (keeps the draft)"
          title="Close (keeps the draft)"
          onClick={closeKeepingDraft}
        >
          <Icon name="close" />
        </button>
      </div>
      <datalist id="contact-options">
        {props.contacts.map((c) => (
          <option key={c.address} value={c.address}>
            {c.petname ?? ''}
          </option>
        ))}
      </datalist>
      <div className="compose-fields">
        <label className="field">
          <span>To</span>
          <input
            ref={firstField}
            name="to"
            list="contact-options"
            autoComplete="off"
            value={state.to}
            onChange={(e) => {
              update({ to: e.target.value })
            }}
          />
          {!showCc && (
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setShowCc(true)
              }}
            >
              Cc/Bcc
            </button>
          )}
        </label>
        {showCc && (
          <>
            <label className="field">
              <span>Cc</span>
              <input
                name="cc"
                list="contact-options"
                autoComplete="off"
                value={state.cc}
                onChange={(e) => {
                  update({ cc: e.target.value })
                }}
              />
            </label>
            <label className="field">
              <span>Bcc</span>
              <input
                name="bcc"
                list="contact-options"
                autoComplete="off"
                value={state.bcc}
                onChange={(e) => {
                  update({ bcc: e.target.value })
                }}
              />
            </label>
          </>
        )}
        <label className="field">
          <span>Subject</span>
          <input
            name="subject"
            value={state.subject}
            onChange={(e) => {
              update({ subject: e.target.value })
            }}
          />
        </label>
      </div>
      <textarea
        ref={body}
        className="compose-body"
        aria-label="Message"
        value={state.text}
        onChange={(e) => {
          update({ text: e.target.value })
        }}
      />
      {state.attachments.length > 0 && (
        <ul className="compose-attachments" aria-label="Attachments">
          {state.attachments.map((a, i) => (
            <li key={`${a.filename}-${i}`}>
              <Icon name="attach" size={14} /> {a.filename}{' '}
              <span className="muted">{sizeOf(a.size)}</span>
              <button
                type="button"
                className="icon-button"
                aria-label={`Remove ${a.filename}`}
                onClick={() => {
                  update({ attachments: state.attachments.filter((_, j) => j !== i) })
                }}
              >
                <Icon name="close" size={12} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="compose-actions">
        <button type="button" className="primary" disabled={sending} onClick={() => void send()}>
          <Icon name="sent" size={16} /> {sending ? 'Sending…' : 'Send'}
        </button>
        <button type="button" onClick={() => fileInput.current?.click()} title="Attach files">
          <Icon name="attach" size={16} /> Attach
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label="Attach files"
          data-testid="attach-input"
          onChange={(e) => {
            if (e.target.files) void addFiles(e.target.files)
            e.target.value = ''
          }}
        />
        <span className="compose-status" role="status">
          {status}
        </span>
        <button
          type="button"
          className="danger-text"
          onClick={() => {
            closed.current = true
            void saving.current.then(() => {
              props.discard(draftId.current)
            })
          }}
        >
          Discard
        </button>
      </div>
      {dragging && <div className="drop-hint">Drop files to attach</div>}
    </div>
  )
}
