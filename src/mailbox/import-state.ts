import type { BuiltinFolder, Flags } from './records.js'

/** Folder and flags that another mail client recorded in a message's headers. */
export interface ImportedState {
  flags: Flags
  /** A folder the source client put the message in, when it says (Gmail labels). */
  folder?: BuiltinFolder
  /** Source labels worth keeping (Gmail's user labels). */
  labels: string[]
}

// Thunderbird's X-Mozilla-Status bits (nsMsgMessageFlags): Read, Replied, Marked.
const MOZ_READ = 0x0001
const MOZ_REPLIED = 0x0002
const MOZ_MARKED = 0x0004
const HEADER_SCAN_BYTES = 64 * 1024
/** Gmail system labels: some name a folder, the rest say nothing we keep. */
const GMAIL_FOLDERS: Record<string, BuiltinFolder> = {
  inbox: 'inbox',
  sent: 'sent',
  spam: 'spam',
  trash: 'trash',
  drafts: 'drafts',
  archived: 'archive',
}
const GMAIL_SYSTEM = new Set(['important', 'opened', 'unread', 'starred', 'chat'])

/**
 * Reads the read/replied/flagged state and Gmail folder labels that Thunderbird (`X-Mozilla-Status`) and
 * Gmail Takeout (`X-Gmail-Labels`) write into exported messages, so moving in keeps what was read, flagged
 * and where it was. Messages without either header count as read, like an archive. Looks only at the
 * header block (bounded), linearly.
 */
export function importedState(raw: Buffer): ImportedState {
  const head = headerBlock(raw)
  const state: ImportedState = {
    flags: { seen: true, flagged: false, answered: false },
    labels: [],
  }
  const mozilla = /^x-mozilla-status:[ \t]*([0-9a-f]{1,4})[ \t]*$/im.exec(head)
  if (mozilla?.[1] !== undefined) {
    const bits = parseInt(mozilla[1], 16)
    state.flags = {
      seen: (bits & MOZ_READ) !== 0,
      answered: (bits & MOZ_REPLIED) !== 0,
      flagged: (bits & MOZ_MARKED) !== 0,
    }
  }
  const gmail = /^x-gmail-labels:(.*(?:\r?\n[ \t].*)*)/im.exec(head)
  if (gmail?.[1] !== undefined) {
    const labels = gmail[1]
      .replace(/\r?\n[ \t]/g, ' ')
      .split(',')
      .map((l) => l.trim())
      // eslint-disable-next-line no-control-regex
      .filter((l) => l.length > 0 && l.length <= 200 && !/[\x00-\x1f\x7f]/.test(l))
    const lower = labels.map((l) => l.toLowerCase())
    state.flags.seen = !lower.includes('unread')
    state.flags.flagged = lower.includes('starred')
    for (const label of lower) {
      const folder = GMAIL_FOLDERS[label]
      if (folder && (state.folder === undefined || state.folder === 'archive'))
        state.folder = folder
    }
    state.labels = labels.filter((l) => {
      const k = l.toLowerCase()
      return !(k in GMAIL_FOLDERS) && !GMAIL_SYSTEM.has(k) && !k.startsWith('category ')
    })
  }
  return state
}

// The header block (up to the first empty line), as latin1 text, bounded.
function headerBlock(raw: Buffer): string {
  const slice = raw.subarray(0, HEADER_SCAN_BYTES)
  let end = slice.indexOf('\r\n\r\n')
  if (end < 0) end = slice.indexOf('\n\n')
  return slice.subarray(0, end < 0 ? slice.length : end).toString('latin1')
}
