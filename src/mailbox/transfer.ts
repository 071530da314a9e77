import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { MailboxError } from './errors.js'
import { importedState } from './import-state.js'
import { detectFormat, readEml, readMbox, writeEmlFiles, writeMbox } from './formats/index.js'
import type { AddMessageInput, Mailbox } from './mailbox.js'
import type { MessageSummary } from './records.js'

/** Progress of an import or export, for progress bars. */
export interface TransferProgress {
  file: string
  messages: number
  bytesRead?: number
  totalBytes?: number
  /** When known up front: an export's messages (from the folder counts), a folder of `.eml` files. */
  totalMessages?: number
}

/** One message that could not be imported, named so the user can find it. */
export interface ImportProblem {
  file: string
  code: string
  message: string
}

export interface ImportReport {
  imported: number
  duplicates: number
  problems: ImportProblem[]
}

export interface ImportOptions {
  /** Where imported mail goes. Default: where the source client had it (Gmail labels), else Inbox. */
  folder?: string
  /** Messages stored per batch: one blob append and one index batch each. */
  batchSize?: number
  onProgress?: (p: TransferProgress) => void
}

/**
 * Imports mbox files, `.eml` files and directories of `.eml` files (format detected per path). Bad
 * messages are reported by file and position and the rest still imports; exact duplicates (same bytes) are
 * stored once. Raw bytes are stored as they are, so an export gives them back byte for byte.
 */
export async function importMail(
  mailbox: Mailbox,
  paths: string[],
  options: ImportOptions = {},
): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, duplicates: 0, problems: [] }
  if (options.folder !== undefined && !(await mailbox.folders.exists(options.folder))) {
    throw MailboxError.FOLDER_NOT_FOUND(options.folder)
  }
  const batchSize = options.batchSize ?? 200
  for (const path of paths) {
    const pending: { input: AddMessageInput; where: string }[] = []
    let messages = 0
    const flush = async () => {
      const results = await mailbox.addMany(pending.map((p) => p.input))
      results.forEach((result, i) => {
        if (!result.ok) {
          report.problems.push({
            file: path,
            code: result.error.code,
            message: `${pending[i]?.where ?? ''}: ${result.error.message}`,
          })
        } else if (result.duplicate) report.duplicates++
        else report.imported++
      })
      pending.length = 0
    }
    const add = async (raw: Buffer, where: string) => {
      const state = importedState(raw)
      const target = options.folder ?? state.folder ?? 'inbox'
      pending.push({
        input: { raw, folder: target, flags: state.flags, labels: state.labels },
        where,
      })
      messages++
      if (pending.length >= batchSize) await flush()
    }
    // A `.mbox` name wins over sniffing, so a file with damage before its first message still reads as mbox.
    const format = /\.mbox$/i.test(path) ? 'mbox' : await detectFormat(path)
    if (format === 'mbox') {
      for await (const entry of readMbox(path, {
        file: path,
        onProgress: (p) =>
          options.onProgress?.({
            file: path,
            messages: p.messages,
            bytesRead: p.bytesRead,
            ...(p.totalBytes === undefined ? {} : { totalBytes: p.totalBytes }),
          }),
      })) {
        if ('error' in entry)
          report.problems.push({ file: path, code: entry.error.code, message: entry.error.message })
        else await add(entry.raw, `message ${entry.index + 1} (byte ${entry.offset})`)
      }
    } else {
      const files = format === 'eml' ? [path] : await emlFilesIn(path)
      const totalMessages = messages + files.length
      for (const file of files) {
        try {
          await add(await readEml(file), file)
        } catch (err) {
          if (!(err instanceof MailboxError)) throw err
          report.problems.push({ file, code: err.code, message: err.message })
        }
        options.onProgress?.({ file: path, messages, totalMessages })
      }
    }
    await flush()
  }
  return report
}

export interface ExportOptions {
  format: 'mbox' | 'eml'
  /** mbox: the file to create; eml: the directory to write into. Existing files are never overwritten. */
  out: string
  /** Only this folder; default every folder. */
  folder?: string
  onProgress?: (p: TransferProgress) => void
}

/** Exports messages exactly as stored (byte-identical), as one mbox file or one `.eml` file each. */
export async function exportMail(
  mailbox: Mailbox,
  options: ExportOptions,
): Promise<{ messages: number; bytes: number }> {
  // Checked here, not by the type: the format comes from users (CLI flags, UI forms).
  if (!['mbox', 'eml'].includes(options.format))
    throw MailboxError.INVALID_ARGUMENT('format must be mbox or eml')
  const all = await mailbox.folders.list()
  const folders = options.folder === undefined ? all.map((f) => f.name) : [options.folder]
  for (const folder of folders)
    if (!(await mailbox.folders.exists(folder))) throw MailboxError.FOLDER_NOT_FOUND(folder)
  const totalMessages = all
    .filter((f) => folders.includes(f.name))
    .reduce((sum, f) => sum + f.total, 0)
  let messages = 0
  async function* source() {
    for (const folder of folders) {
      for await (const summary of allIn(mailbox, folder)) {
        const raw = await mailbox.raw(summary.id)
        messages++
        options.onProgress?.({ file: options.out, messages, totalMessages })
        yield {
          raw,
          date: new Date(summary.date),
          from: summary.from[0]?.address ?? 'MAILER-DAEMON',
          name: summary.subject || summary.id,
        }
      }
    }
  }
  if (options.format === 'mbox') return writeMbox(source(), options.out)
  const { messages: count, bytes } = await writeEmlFiles(source(), options.out)
  return { messages: count, bytes }
}

async function* allIn(mailbox: Mailbox, folder: string): AsyncGenerator<MessageSummary> {
  let cursor: string | undefined
  do {
    const page = await mailbox.list({
      folder,
      limit: 500,
      ...(cursor === undefined ? {} : { cursor }),
    })
    yield* page.items
    cursor = page.next
  } while (cursor !== undefined)
}

async function emlFilesIn(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.eml')).sort()
  const files: string[] = []
  for (const name of names) if ((await stat(join(dir, name))).isFile()) files.push(join(dir, name))
  return files
}
