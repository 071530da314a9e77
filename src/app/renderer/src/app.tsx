import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type {
  ApiCallName,
  ApiCalls,
  ApiContact,
  ApiEvent,
  ApiFolder,
  ApiMessage,
  ApiMessageSummary,
} from '../../ipc/api.js'
import type { Backend, ConnectionState } from './api-client.js'
import { Compose, emptyCompose, splitRecipients, type ComposeState } from './compose.js'
import { ContactsView, SafetyNumber } from './contacts-view.js'
import {
  bareAddress,
  displayName,
  folderLabel,
  fullDate,
  petnamesOf,
  quote,
  replySubject,
  shortAddress,
} from './format.js'
import { Icon, type IconName } from './icons.js'
import { MessageList } from './message-list.js'
import { ReadingPane } from './reading-pane.js'
import type { InlineParts } from './sanitize.js'
import { SettingsView, type Theme } from './settings-view.js'
import { buildRows } from './threads.js'

type View =
  | { kind: 'folder'; folder: string }
  | { kind: 'search'; query: string }
  | { kind: 'contacts' }
  | { kind: 'settings' }

type Dialog =
  | { kind: 'link'; href: string; text: string }
  | { kind: 'verify'; contact: ApiContact }
  | { kind: 'folder' }

const PAGE = 200
/** How often the status bar asks the node what it sees of the network. */
const CONNECTIVITY_EVERY_MS = 10_000

type Connectivity = ApiCalls['connectivity']['response']

/** One line for the status bar: peers connected, relays reached, mail waiting to go out. */
function networkSummary(network: Connectivity): string {
  if (!network.online) return 'No network: mail waits'
  const parts = [`${network.peers.length} peer${network.peers.length === 1 ? '' : 's'}`]
  if (network.relays.length > 0) {
    const reached = network.relays.filter((r) => r.connected).length
    parts.push(`relay${network.relays.length === 1 ? '' : 's'} ${reached}/${network.relays.length}`)
  }
  if (network.outgoing.waiting > 0) parts.push(`${network.outgoing.waiting} waiting`)
  return parts.join(' · ')
}
const FOLDER_ICONS: Record<string, IconName> = {
  inbox: 'inbox',
  requests: 'requests',
  sent: 'sent',
  drafts: 'drafts',
  archive: 'archive',
  spam: 'spam',
  trash: 'trash',
}
const SEARCH_FILTERS: [string, string][] = [
  ['is:unread', 'Unread'],
  ['has:attachment', 'Attachments'],
  ['is:flagged', 'Flagged'],
  ['newer_than:7d', 'Last 7 days'],
]

/** Oldest first; Date headers have one-second precision, so ties go by mailbox id (arrival order). */
function byDate(x: ApiMessageSummary, y: ApiMessageSummary): number {
  return x.date - y.date || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)
}

function themeOf(): Theme {
  const saved = localStorage.getItem('peermail.theme')
  return saved === 'light' || saved === 'dark' ? saved : 'system'
}

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  return bytes
}

export function App({ backend }: { backend: Backend }) {
  const [address, setAddress] = useState('')
  const [connection, setConnection] = useState<ConnectionState>('connecting')
  const [relay, setRelay] = useState<string | undefined>()
  const [network, setNetwork] = useState<Connectivity | undefined>()
  const [folders, setFolders] = useState<ApiFolder[]>([])
  const [contacts, setContacts] = useState<ApiContact[]>([])
  const [remoteSenders, setRemoteSenders] = useState<string[]>([])
  const [view, setView] = useState<View>({ kind: 'folder', folder: 'inbox' })
  const [messages, setMessages] = useState<ApiMessageSummary[]>([])
  const [next, setNext] = useState<string | undefined>()
  const [loading, setLoading] = useState(true)
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set())
  const [selectedId, setSelectedId] = useState<string | undefined>()
  const [opened, setOpened] = useState<ApiMessage | undefined>()
  const [thread, setThread] = useState<ApiMessageSummary[]>([])
  const [inlineParts, setInlineParts] = useState<InlineParts>(new Map())
  const [compose, setCompose] = useState<ComposeState | undefined>()
  const [composeKey, setComposeKey] = useState(0)
  const [dialog, setDialog] = useState<Dialog | undefined>()
  const [toast, setToast] = useState<{ text: string; error: boolean } | undefined>()
  const [theme, setTheme] = useState<Theme>(themeOf)
  const [notifyOn, setNotifyOn] = useState(() => localStorage.getItem('peermail.notify') === 'on')
  const notifyRef = useRef(notifyOn)
  notifyRef.current = notifyOn
  const [query, setQuery] = useState('')
  const searchRef = useRef<HTMLInputElement>(null)
  const viewRef = useRef(view)
  // Mail that arrives while a first page is being fetched can be missing from that page, which then
  // replaces the list: each such fetch collects the arrivals here and puts them back on top.
  const arrivalsDuringLoad = useRef(new Set<ApiMessageSummary[]>())
  viewRef.current = view

  const notify = useCallback((text: string, error = false) => {
    setToast({ text, error })
  }, [])
  useEffect(() => {
    if (!toast) return
    const timer = window.setTimeout(() => {
      setToast(undefined)
    }, 4000)
    return () => {
      window.clearTimeout(timer)
    }
  }, [toast])

  /** A call whose failure is shown to the user; undefined when it failed. */
  const call = useCallback(
    async <N extends ApiCallName>(
      name: N,
      body: ApiCalls[N]['request'],
    ): Promise<ApiCalls[N]['response'] | undefined> => {
      const result = await backend.call(name, body)
      if (result.ok) return result.value
      notify(result.error.message, true)
      return undefined
    },
    [backend, notify],
  )

  const refreshFolders = useCallback(async () => {
    const list = await call('folders', {})
    if (list) setFolders(list)
  }, [call])
  const refreshContacts = useCallback(async () => {
    const list = await call('contacts', {})
    if (list) setContacts(list)
  }, [call])

  const loadList = useCallback(
    async (target: View, cursor?: string) => {
      if (target.kind !== 'folder' && target.kind !== 'search') return
      setLoading(true)
      if (target.kind === 'search') {
        const found = await call('search', { query: target.query, limit: 500 })
        if (viewRef.current !== target) return
        setMessages(found?.items ?? [])
        setNext(undefined)
      } else {
        const arrived: ApiMessageSummary[] = []
        if (cursor === undefined) arrivalsDuringLoad.current.add(arrived)
        const page = await call('listMessages', {
          folder: target.folder,
          limit: PAGE,
          ...(cursor === undefined ? {} : { cursor }),
        }).finally(() => arrivalsDuringLoad.current.delete(arrived))
        if (viewRef.current !== target) return
        if (page) {
          const listed = new Set(page.items.map((m) => m.id))
          const missing = arrived
            .filter((m) => m.folder === target.folder && !listed.has(m.id))
            .reverse()
          setMessages((old) =>
            cursor === undefined ? [...missing, ...page.items] : [...old, ...page.items],
          )
          setNext(page.next)
        }
      }
      setLoading(false)
    },
    [call],
  )

  useEffect(() => {
    void (async () => {
      const who = await call('whoami', {})
      if (who) setAddress(who.address)
    })()
    void refreshFolders()
    void refreshContacts()
    void call('remoteContent', {}).then((got) => {
      if (got) setRemoteSenders(got.senders)
    })
  }, [call, refreshFolders, refreshContacts])

  const setRemoteContent = useCallback(
    async (sender: string, allowed: boolean) => {
      const got = await call('setRemoteContent', { sender, allowed })
      if (!got) return
      setRemoteSenders(got.senders)
      notify(
        allowed
          ? `Remote content from ${shortAddress(sender)} will load`
          : `Remote content from ${shortAddress(sender)} is blocked again`,
      )
    },
    [call, notify],
  )

  // What the node sees of the network (peers, relays, mail waiting), asked again every few seconds.
  useEffect(() => {
    const ask = async () => {
      const now = await call('connectivity', {})
      if (now) setNetwork(now)
    }
    void ask()
    const timer = setInterval(() => void ask(), CONNECTIVITY_EVERY_MS)
    return () => {
      clearInterval(timer)
    }
  }, [call])

  useEffect(() => {
    setMessages([])
    setNext(undefined)
    setSelectedId(undefined)
    setOpened(undefined)
    void loadList(view)
  }, [view, loadList])

  // Live events: new mail lands in its folder as it arrives; delivery ticks move on.
  useEffect(() => {
    const onEvent = (event: ApiEvent) => {
      if (event.type === 'mail') {
        for (const arrivals of arrivalsDuringLoad.current) arrivals.push(event.summary)
        const current = viewRef.current
        if (current.kind === 'folder' && current.folder === event.summary.folder)
          setMessages((old) =>
            old.some((m) => m.id === event.summary.id) ? old : [event.summary, ...old],
          )
        void refreshFolders()
        void refreshContacts()
        if (notifyRef.current && document.hidden && Notification.permission === 'granted')
          new Notification(event.summary.from[0]?.name || 'New mail', {
            body: event.summary.subject,
            silent: false,
          })
      } else if (event.type === 'delivery') {
        const { id, recipient, state } = event.update
        const patch = (m: ApiMessageSummary) =>
          m.id === id ? { ...m, delivery: { ...m.delivery, [recipient]: state } } : m
        setMessages((old) => old.map(patch))
        setOpened((m) =>
          m && m.id === id ? { ...m, delivery: { ...m.delivery, [recipient]: state } } : m,
        )
      } else if (event.type === 'relay') {
        setRelay(event.status.relay)
      }
    }
    return backend.subscribe(onEvent, setConnection)
  }, [backend, refreshFolders, refreshContacts])

  useEffect(() => {
    const root = document.documentElement
    if (theme === 'system') root.removeAttribute('data-theme')
    else root.setAttribute('data-theme', theme)
    localStorage.setItem('peermail.theme', theme)
  }, [theme])

  const petnames = useMemo(() => {
    const names = petnamesOf(contacts)
    if (address) names.set(address, 'Me')
    return names
  }, [contacts, address])
  const threaded = view.kind === 'folder'
  const rows = useMemo(
    () => buildRows(messages, expanded, threaded),
    [messages, expanded, threaded],
  )

  const openMessage = useCallback(
    async (id: string) => {
      setSelectedId(id)
      // Read as soon as it is opened (the flag call below confirms it).
      setMessages((old) =>
        old.map((m) =>
          m.id === id && !m.flags.seen ? { ...m, flags: { ...m.flags, seen: true } } : m,
        ),
      )
      const message = await call('readMessage', { id })
      if (!message) return
      if (message.folder === 'drafts') {
        setCompose({
          to: message.to.map((a) => bareAddress(a.address)).join(', '),
          cc: message.cc.map((a) => bareAddress(a.address)).join(', '),
          bcc: message.bcc.map((a) => bareAddress(a.address)).join(', '),
          subject: message.subject,
          text: message.text ?? '',
          attachments: [],
          draftId: message.id,
          title: 'Draft',
        })
        setComposeKey((k) => k + 1)
      }
      const parts: InlineParts = new Map()
      if (message.html !== undefined)
        for (const a of message.attachments.filter((x) => x.contentId !== undefined && x.inline)) {
          const got = await call('attachment', { id, index: a.index })
          if (got && /^image\/(png|gif|jpe?g|webp)$/i.test(got.contentType))
            parts.set(a.contentId ?? '', `data:${got.contentType};base64,${got.contentBase64}`)
        }
      setInlineParts(parts)
      setOpened(message)
      const conversation = await call('thread', { threadId: message.threadId })
      setThread([...(conversation?.items ?? [])].sort(byDate))
      if (!message.flags.seen) {
        const flagged = await call('flag', { id, seen: true })
        if (flagged) {
          setMessages((old) => old.map((m) => (m.id === id ? flagged : m)))
          setOpened((m) => (m && m.id === id ? { ...m, flags: flagged.flags } : m))
          void refreshFolders()
        }
      }
    },
    [call, refreshFolders],
  )

  const selectByOffset = useCallback(
    (delta: number) => {
      if (rows.length === 0) return
      const at = rows.findIndex((r) => r.message.id === selectedId)
      const index = Math.min(rows.length - 1, Math.max(0, at === -1 ? 0 : at + delta))
      const row = rows[index]
      if (row) void openMessage(row.message.id)
    },
    [rows, selectedId, openMessage],
  )

  const startCompose = useCallback((state: ComposeState) => {
    setCompose(state)
    setComposeKey((k) => k + 1)
  }, [])

  const reply = useCallback(
    (all: boolean) => {
      if (!opened) return
      const mine = bareAddress(address)
      const sender = opened.peer ?? opened.from[0]?.address ?? ''
      const fromMe = bareAddress(sender) === mine
      const to = fromMe ? opened.to.map((a) => bareAddress(a.address)) : [bareAddress(sender)]
      const others = all
        ? [...opened.to, ...opened.cc]
            .map((a) => bareAddress(a.address))
            .filter((a) => a !== mine && !to.includes(a))
        : []
      const who = displayName(opened.from[0], petnames)
      startCompose({
        ...emptyCompose(),
        to: to.join(', '),
        cc: [...new Set(others)].join(', '),
        subject: replySubject(opened.subject, 'Re'),
        text: `\n\nOn ${fullDate(opened.date)}, ${who} wrote:\n${quote(opened.text ?? '')}\n`,
        inReplyTo: opened.id,
        title: all ? 'Reply all' : 'Reply',
      })
    },
    [opened, address, petnames, startCompose],
  )

  const forward = useCallback(async () => {
    if (!opened) return
    const attachments = []
    for (const a of opened.attachments) {
      const got = await call('attachment', { id: opened.id, index: a.index })
      if (got)
        attachments.push({
          filename: got.filename ?? `attachment-${a.index + 1}`,
          contentType: got.contentType,
          contentBase64: got.contentBase64,
          size: got.size,
        })
    }
    const header = [
      '---------- Forwarded message ----------',
      `From: ${opened.from.map((a) => `${a.name} <${a.address}>`).join(', ')}`,
      `Date: ${fullDate(opened.date)}`,
      `Subject: ${opened.subject}`,
      `To: ${opened.to.map((a) => a.address).join(', ')}`,
    ].join('\n')
    startCompose({
      ...emptyCompose(),
      subject: replySubject(opened.subject, 'Fwd'),
      text: `\n\n${header}\n\n${opened.text ?? ''}`,
      attachments,
      title: 'Forward',
    })
  }, [opened, call, startCompose])

  const afterRemoval = useCallback(
    (id: string) => {
      const at = rows.findIndex((r) => r.message.id === id)
      setMessages((old) => old.filter((m) => m.id !== id))
      const following = rows[at + 1] ?? rows[at - 1]
      if (following && following.message.id !== id) void openMessage(following.message.id)
      else {
        setOpened(undefined)
        setSelectedId(undefined)
      }
      void refreshFolders()
    },
    [rows, openMessage, refreshFolders],
  )

  // Actions act on the selection, which a fast j/k may have moved before the message finished opening.
  const move = useCallback(
    async (folder: string) => {
      const id = selectedId ?? opened?.id
      if (id === undefined) return
      const moved = await call('move', { id, folder })
      if (!moved) return
      notify(`Moved to ${folderLabel(folder)}`)
      afterRemoval(id)
    },
    [selectedId, opened, call, notify, afterRemoval],
  )
  const trash = useCallback(async () => {
    const id = selectedId ?? opened?.id
    if (id === undefined) return
    if (await call('trash', { id })) {
      notify('Moved to Trash')
      afterRemoval(id)
    }
  }, [selectedId, opened, call, notify, afterRemoval])

  const saveDraft = useCallback(
    async (state: ComposeState) => {
      const saved = await call('saveDraft', {
        to: splitRecipients(state.to),
        cc: splitRecipients(state.cc),
        bcc: splitRecipients(state.bcc),
        subject: state.subject,
        text: state.text,
        ...(state.draftId ? { replaces: state.draftId } : {}),
      })
      void refreshFolders()
      return saved?.id
    },
    [call, refreshFolders],
  )

  const send = useCallback(
    async (state: ComposeState) => {
      const sent = await call('send', {
        to: splitRecipients(state.to),
        cc: splitRecipients(state.cc),
        bcc: splitRecipients(state.bcc),
        subject: state.subject,
        text: state.text,
        ...(state.attachments.length > 0
          ? {
              attachments: state.attachments.map((a) => ({
                filename: a.filename,
                contentBase64: a.contentBase64,
                contentType: a.contentType,
              })),
            }
          : {}),
        ...(state.inReplyTo ? { inReplyTo: state.inReplyTo } : {}),
      })
      if (!sent) return false
      if (state.draftId) await call('deleteDraft', { id: state.draftId })
      setCompose(undefined)
      notify('Message sent')
      void refreshFolders()
      void refreshContacts()
      const current = viewRef.current
      if (current.kind === 'folder' && (current.folder === 'sent' || current.folder === 'drafts'))
        void loadList(current)
      if (opened && opened.threadId) {
        const conversation = await call('thread', { threadId: opened.threadId })
        if (conversation) setThread([...conversation.items].sort(byDate))
      }
      return true
    },
    [call, notify, refreshFolders, refreshContacts, loadList, opened],
  )

  const download = useCallback(
    async (index: number) => {
      if (!opened) return
      const got = await call('attachment', { id: opened.id, index })
      if (!got) return
      // Served as a download, never rendered: an attached HTML file must not open in this origin.
      const blob = new Blob([base64ToBytes(got.contentBase64)], {
        type: 'application/octet-stream',
      })
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = got.filename ?? `attachment-${index + 1}`
      a.rel = 'noopener'
      document.body.append(a)
      a.click()
      a.remove()
      window.setTimeout(() => {
        URL.revokeObjectURL(url)
      }, 10_000)
    },
    [opened, call],
  )

  const accept = useCallback(
    async (peer: string) => {
      const result = await call('acceptRequest', { address: peer })
      if (!result) return
      notify(
        `Accepted: ${result.moved} ${result.moved === 1 ? 'message' : 'messages'} moved to Inbox`,
      )
      void refreshContacts()
      void refreshFolders()
      if (viewRef.current.kind === 'folder') void loadList(viewRef.current)
      setOpened(undefined)
      setSelectedId(undefined)
    },
    [call, notify, refreshContacts, refreshFolders, loadList],
  )
  const block = useCallback(
    async (peer: string, blocked = true) => {
      if (await call('block', { address: peer, blocked })) {
        notify(blocked ? `Blocked ${shortAddress(peer)}` : `Unblocked ${shortAddress(peer)}`)
        void refreshContacts()
      }
    },
    [call, notify, refreshContacts],
  )

  // Keyboard shortcuts (the issue's list); never while typing or while a dialog is open.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || typingIn(e.target)) return
      if (dialog) {
        if (e.key === 'Escape') setDialog(undefined)
        return
      }
      const actions: Record<string, () => void> = {
        j: () => {
          selectByOffset(1)
        },
        k: () => {
          selectByOffset(-1)
        },
        r: () => {
          reply(false)
        },
        a: () => {
          reply(true)
        },
        f: () => void forward(),
        c: () => {
          startCompose(emptyCompose())
        },
        '/': () => searchRef.current?.focus(),
        e: () => void move('archive'),
        '#': () => void trash(),
      }
      // In the focused message list the arrow keys do what j and k do.
      const inList = e.target instanceof HTMLElement && e.target.getAttribute('role') === 'listbox'
      const key =
        inList && e.key === 'ArrowDown' ? 'j' : inList && e.key === 'ArrowUp' ? 'k' : e.key
      const action = actions[key]
      if (!action || compose) return
      e.preventDefault()
      action()
    }
    window.addEventListener('keydown', onKey)
    return () => {
      window.removeEventListener('keydown', onKey)
    }
  }, [dialog, compose, selectByOffset, reply, forward, startCompose, move, trash])

  const openLink = useCallback((href: string, text: string) => {
    setDialog({ kind: 'link', href, text })
  }, [])
  const onToggleThread = useCallback((threadId: string) => {
    setExpanded((old) => {
      const copy = new Set(old)
      if (copy.has(threadId)) copy.delete(threadId)
      else copy.add(threadId)
      return copy
    })
  }, [])
  const onSelect = useCallback(
    (m: ApiMessageSummary) => {
      void openMessage(m.id)
    },
    [openMessage],
  )
  const onNearEnd = useCallback(() => {
    if (next !== undefined && !loading) void loadList(viewRef.current, next)
  }, [next, loading, loadList])

  const folderView = view.kind === 'folder' ? view.folder : undefined
  const listLabel =
    view.kind === 'search'
      ? `Search results for ${view.query}`
      : `Messages in ${folderLabel(folderView ?? '')}`
  const runSearch = (text: string) => {
    const q = text.trim()
    if (q === '') {
      setView({ kind: 'folder', folder: 'inbox' })
      return
    }
    setView({ kind: 'search', query: q })
  }
  const toggleFilter = (token: string) => {
    const words = query.split(/\s+/).filter((w) => w !== '')
    const nextQuery = words.includes(token) ? words.filter((w) => w !== token) : [...words, token]
    setQuery(nextQuery.join(' '))
    runSearch(nextQuery.join(' '))
  }

  const connectionText =
    connection === 'online' ? 'Online' : connection === 'connecting' ? 'Connecting…' : 'Offline'

  return (
    <div className="app">
      <a href="#message-list" className="skip-link">
        Skip to messages
      </a>
      <nav className="sidebar" aria-label="Mailboxes">
        <div className="sidebar-top">
          <button
            type="button"
            className="compose-button"
            onClick={() => {
              startCompose(emptyCompose())
            }}
          >
            <Icon name="compose" /> New message
          </button>
        </div>
        <ul className="folder-list" aria-label="Folders">
          {folders.map((f) => {
            const active = folderView === f.name
            return (
              <li key={f.name}>
                <button
                  type="button"
                  className={`folder ${active ? 'active' : ''}`}
                  aria-current={active ? 'page' : undefined}
                  data-folder={f.name}
                  onClick={() => {
                    setQuery('')
                    setView({ kind: 'folder', folder: f.name })
                  }}
                >
                  <Icon name={FOLDER_ICONS[f.name] ?? 'folder'} />
                  <span className="folder-name">{folderLabel(f.name)}</span>
                  {f.unread > 0 && (
                    <span className="count" aria-label={`${f.unread} unread`}>
                      {f.unread}
                    </span>
                  )}
                </button>
              </li>
            )
          })}
        </ul>
        <button
          type="button"
          className="new-folder"
          onClick={() => {
            setDialog({ kind: 'folder' })
          }}
        >
          <Icon name="plus" size={16} /> New folder
        </button>
        <div className="sidebar-gap" />
        <ul className="folder-list" aria-label="Pages">
          <li>
            <button
              type="button"
              className={`folder ${view.kind === 'contacts' ? 'active' : ''}`}
              aria-current={view.kind === 'contacts' ? 'page' : undefined}
              onClick={() => {
                setView({ kind: 'contacts' })
                void refreshContacts()
              }}
            >
              <Icon name="contacts" /> <span className="folder-name">Contacts</span>
            </button>
          </li>
          <li>
            <button
              type="button"
              className={`folder ${view.kind === 'settings' ? 'active' : ''}`}
              aria-current={view.kind === 'settings' ? 'page' : undefined}
              onClick={() => {
                setView({ kind: 'settings' })
              }}
            >
              <Icon name="settings" /> <span className="folder-name">Settings</span>
            </button>
          </li>
        </ul>
        <div
          className={`connection ${connection}`}
          role="status"
          aria-live="polite"
          data-testid="connection"
        >
          <span className="dot" aria-hidden="true" />
          <div>
            <div className="connection-state">{connectionText}</div>
            <div className="connection-detail" title={address}>
              {network
                ? networkSummary(network)
                : relay
                  ? `Relay ${shortAddress(relay)}`
                  : shortAddress(address)}
            </div>
          </div>
        </div>
      </nav>

      {view.kind === 'contacts' ? (
        <main className="main-page">
          <ContactsView
            contacts={contacts}
            onAdd={async (addr, petname) => {
              const added = await call('addContact', {
                address: addr.trim(),
                ...(petname === undefined ? {} : { petname }),
              })
              if (added) void refreshContacts()
              return added !== undefined
            }}
            onVerify={(contact) => {
              setDialog({ kind: 'verify', contact })
            }}
            onBlock={(contact, blocked) => void block(contact.address, blocked)}
            onWrite={(contact) => {
              startCompose({ ...emptyCompose(), to: contact.address })
            }}
          />
        </main>
      ) : view.kind === 'settings' ? (
        <main className="main-page">
          <SettingsView
            backend={backend}
            remoteSenders={remoteSenders}
            onRemoteContent={(sender, allowed) => void setRemoteContent(sender, allowed)}
            address={address}
            theme={theme}
            onTheme={setTheme}
            notify={notifyOn}
            onNotify={(on) => {
              const apply = (granted: boolean) => {
                setNotifyOn(on && granted)
                localStorage.setItem('peermail.notify', on && granted ? 'on' : 'off')
                if (on && !granted) notify('Notifications are not allowed in this browser', true)
              }
              if (!on || !('Notification' in window)) apply(false)
              else
                void Notification.requestPermission().then((p) => {
                  apply(p === 'granted')
                })
            }}
            onCopy={(text) => {
              void navigator.clipboard.writeText(text).then(
                () => {
                  notify('Address copied')
                },
                () => {
                  notify('Copying is not allowed here', true)
                },
              )
            }}
          />
        </main>
      ) : (
        <main className="mail">
          <section className="list-pane" aria-label="Message list" id="message-list">
            <div className="list-header">
              <form
                role="search"
                className="search"
                onSubmit={(e) => {
                  e.preventDefault()
                  runSearch(query)
                }}
              >
                <Icon name="search" size={16} />
                <input
                  ref={searchRef}
                  type="search"
                  aria-label="Search mail"
                  placeholder="Search  (from: subject: is:unread …)"
                  value={query}
                  onChange={(e) => {
                    setQuery(e.target.value)
                    if (e.target.value === '' && view.kind === 'search')
                      setView({ kind: 'folder', folder: 'inbox' })
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                      setQuery('')
                      setView({ kind: 'folder', folder: 'inbox' })
                      e.currentTarget.blur()
                    }
                  }}
                />
              </form>
              <div className="list-title">
                <h1>{view.kind === 'search' ? 'Search' : folderLabel(folderView ?? '')}</h1>
                <span className="muted">
                  {view.kind === 'search'
                    ? `${messages.length} found`
                    : `${folders.find((f) => f.name === folderView)?.total ?? messages.length} messages`}
                </span>
              </div>
              {view.kind === 'search' && (
                <div className="filters" role="group" aria-label="Search filters">
                  {SEARCH_FILTERS.map(([token, label]) => (
                    <button
                      key={token}
                      type="button"
                      className={`chip ${query.split(/\s+/).includes(token) ? 'on' : ''}`}
                      aria-pressed={query.split(/\s+/).includes(token)}
                      onClick={() => {
                        toggleFilter(token)
                      }}
                    >
                      {label}
                    </button>
                  ))}
                </div>
              )}
            </div>
            <MessageList
              rows={rows}
              selectedId={selectedId}
              petnames={petnames}
              showRecipients={folderView === 'sent' || folderView === 'drafts'}
              label={listLabel}
              loading={loading}
              onSelect={onSelect}
              onToggleThread={onToggleThread}
              onNearEnd={onNearEnd}
            />
          </section>
          <ReadingPane
            message={opened}
            thread={thread}
            inlineParts={inlineParts}
            folders={folders}
            contacts={contacts}
            petnames={petnames}
            onReply={reply}
            onForward={() => void forward()}
            onMove={(folder) => void move(folder)}
            onTrash={() => void trash()}
            onFlag={() => {
              if (!opened) return
              void call('flag', { id: opened.id, flagged: !opened.flags.flagged }).then((m) => {
                if (!m) return
                setOpened({ ...opened, flags: m.flags })
                setMessages((old) => old.map((x) => (x.id === m.id ? m : x)))
              })
            }}
            onOpen={(id) => void openMessage(id)}
            onDownload={(index) => void download(index)}
            onAccept={(peer) => void accept(peer)}
            onBlock={(peer) => void block(peer)}
            onLink={openLink}
            remoteSenders={remoteSenders}
            onRemoteContent={(sender, allowed) => void setRemoteContent(sender, allowed)}
          />
        </main>
      )}

      {compose && (
        <Compose
          key={composeKey}
          initial={compose}
          contacts={contacts}
          saveDraft={saveDraft}
          send={send}
          close={() => {
            // Closing finishes a save first: by then another compose (a draft reopened) may be showing.
            const closing = compose
            setCompose((current) => (current === closing ? undefined : current))
            void refreshFolders()
            const current = viewRef.current
            if (current.kind === 'folder' && current.folder === 'drafts') void loadList(current)
          }}
          discard={(draftId) => {
            const closing = compose
            setCompose((current) => (current === closing ? undefined : current))
            if (draftId)
              void call('deleteDraft', { id: draftId }).then(() => {
                void refreshFolders()
                const current = viewRef.current
                if (current.kind === 'folder' && current.folder === 'drafts') void loadList(current)
              })
          }}
          onError={(text) => {
            notify(text, true)
          }}
        />
      )}

      {dialog && (
        <div
          className="scrim"
          role="presentation"
          onClick={() => {
            setDialog(undefined)
          }}
        >
          <div
            className="dialog"
            role="dialog"
            aria-modal="true"
            aria-labelledby="dialog-title"
            onClick={(e) => {
              e.stopPropagation()
            }}
          >
            {dialog.kind === 'link' && (
              <LinkDialog
                href={dialog.href}
                text={dialog.text}
                onClose={() => {
                  setDialog(undefined)
                }}
              />
            )}
            {dialog.kind === 'verify' && (
              <VerifyDialog
                contact={dialog.contact}
                onClose={() => {
                  setDialog(undefined)
                }}
                onVerified={async () => {
                  const done = await call('verifyContact', {
                    address: dialog.contact.address,
                    safetyNumber: dialog.contact.safetyNumber ?? '',
                  })
                  if (done) {
                    notify('Contact verified')
                    setDialog(undefined)
                    void refreshContacts()
                  }
                }}
              />
            )}
            {dialog.kind === 'folder' && (
              <FolderDialog
                onClose={() => {
                  setDialog(undefined)
                }}
                onCreate={async (name) => {
                  if (await call('createFolder', { name })) {
                    setDialog(undefined)
                    void refreshFolders()
                  }
                }}
              />
            )}
          </div>
        </div>
      )}

      <div className="toast-area" aria-live="polite">
        {toast && (
          <div
            className={`toast ${toast.error ? 'error' : ''}`}
            role={toast.error ? 'alert' : 'status'}
          >
            {toast.text}
          </div>
        )}
      </div>
    </div>
  )
}

/** The host a link's text claims to go to, when the text looks like an address. */
function claimedHost(text: string): string | undefined {
  const match =
    /^(?:https?:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?(?:[/?#]|$)/i.exec(
      text.trim(),
    )
  return match?.[1]?.toLowerCase()
}

function LinkDialog({ href, text, onClose }: { href: string; text: string; onClose: () => void }) {
  const ref = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    ref.current?.focus()
  }, [])
  let host = ''
  try {
    host = new URL(href).host
  } catch {
    host = ''
  }
  return (
    <>
      <h2 id="dialog-title">Open this link?</h2>
      <p className="muted">It opens in your browser. The link really goes to:</p>
      {(() => {
        const claimed = claimedHost(text)
        const real = host.replace(/:\d+$/, '').toLowerCase()
        return claimed !== undefined && real !== '' && claimed !== real ? (
          <p className="banner warn link-mismatch" role="alert">
            The link's text shows {claimed}, but it goes somewhere else.
          </p>
        ) : null
      })()}
      <p className="link-target" data-testid="link-target">
        {host && <strong>{host}</strong>}
        <code>{href}</code>
      </p>
      <div className="dialog-actions">
        <button ref={ref} type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => {
            window.open(href, '_blank', 'noopener,noreferrer')
            onClose()
          }}
        >
          Open in browser
        </button>
      </div>
    </>
  )
}

function VerifyDialog(props: {
  contact: ApiContact
  onClose: () => void
  onVerified: () => Promise<void>
}) {
  const { contact } = props
  return (
    <>
      <h2 id="dialog-title">Verify {contact.petname ?? shortAddress(contact.address)}</h2>
      <p className="muted">
        Read these 60 digits to each other, in person or on a call. If every group matches, nobody
        is in the middle.
      </p>
      {contact.safetyNumber && <SafetyNumber value={contact.safetyNumber} />}
      <div className="dialog-actions">
        <button type="button" onClick={props.onClose}>
          They differ
        </button>
        <button type="button" className="primary" onClick={() => void props.onVerified()}>
          The numbers match
        </button>
      </div>
    </>
  )
}

function FolderDialog(props: { onClose: () => void; onCreate: (name: string) => Promise<void> }) {
  const [name, setName] = useState('')
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        if (name.trim() !== '') void props.onCreate(name.trim())
      }}
    >
      <h2 id="dialog-title">New folder</h2>
      <label className="field">
        <span>Name</span>
        <input
          autoFocus
          value={name}
          onChange={(e) => {
            setName(e.target.value)
          }}
        />
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={name.trim() === ''}>
          Create
        </button>
      </div>
    </form>
  )
}
