import type { ApiAddress, ApiContact, ApiDeliveryState, ApiMessageSummary } from '../../ipc/api.js'

const PEER_DOMAIN = '@peermail.invalid'

/** `pm1abc…xyz`: long peer addresses cut in the middle where space is short. */
export function shortAddress(address: string): string {
  const bare = address.toLowerCase().endsWith(PEER_DOMAIN)
    ? address.slice(0, -PEER_DOMAIN.length)
    : address
  return bare.length > 18 && bare.startsWith('pm1') ? `${bare.slice(0, 9)}…${bare.slice(-6)}` : bare
}

export function bareAddress(address: string): string {
  const lower = address.trim().toLowerCase()
  return lower.endsWith(PEER_DOMAIN) ? lower.slice(0, -PEER_DOMAIN.length) : lower
}

export type Petnames = Map<string, string>

export function petnamesOf(contacts: ApiContact[]): Petnames {
  const map: Petnames = new Map()
  for (const c of contacts) if (c.petname) map.set(bareAddress(c.address), c.petname)
  return map
}

/** The name to show: the user's petname first (a header's name is only the sender's claim). */
export function displayName(a: ApiAddress | undefined, petnames: Petnames): string {
  if (!a) return '(nobody)'
  return petnames.get(bareAddress(a.address)) ?? (a.name || shortAddress(a.address))
}

export function listDate(ms: number, now = Date.now()): string {
  const d = new Date(ms)
  const today = new Date(now)
  if (d.toDateString() === today.toDateString())
    return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  if (now - ms < 6 * 86_400_000) return d.toLocaleDateString(undefined, { weekday: 'short' })
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: '2-digit' })
}

export function fullDate(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' })
}

export function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

const RANK: Record<ApiDeliveryState, number> = { failed: -1, queued: 0, relayed: 1, delivered: 2 }

/** The least advanced state over all recipients: a mail is "delivered" once every copy is. */
export function overallDelivery(m: ApiMessageSummary): ApiDeliveryState | undefined {
  const states = Object.values(m.delivery ?? {})
  if (states.length === 0) return undefined
  return states.reduce((a, b) => (RANK[b] < RANK[a] ? b : a))
}

export const FOLDER_LABELS: Record<string, string> = {
  inbox: 'Inbox',
  requests: 'Requests',
  sent: 'Sent',
  drafts: 'Drafts',
  archive: 'Archive',
  spam: 'Spam',
  trash: 'Trash',
}

export function folderLabel(name: string): string {
  return FOLDER_LABELS[name] ?? name
}

export function replySubject(subject: string, prefix: 'Re' | 'Fwd'): string {
  const re = prefix === 'Re' ? /^\s*re\s*:/i : /^\s*(fwd?|fw)\s*:/i
  return re.test(subject) ? subject : `${prefix}: ${subject}`
}

export function quote(text: string): string {
  return text
    .replace(/\s+$/, '')
    .split('\n')
    .map((line) => (line.startsWith('>') ? `>${line}` : `> ${line}`))
    .join('\n')
}

/** A stable colour per address, so a face is recognisable at a glance in the list. */
export function avatarHue(address: string): number {
  let h = 0
  for (let i = 0; i < address.length; i++) h = (h * 31 + address.charCodeAt(i)) >>> 0
  return h % 360
}

export function initialOf(name: string): string {
  const clean = name.replace(/^pm1/, '').trim()
  return (clean[0] ?? '?').toUpperCase()
}
