/** The local mailbox: encrypted store, folders, flags, threads, MIME, import/export formats. */
export * from './errors.js'
export * from './records.js'
export { Mailbox, openMailbox } from './mailbox.js'
export { MAILBOX_FORMAT } from './format.js'
export { createCorestore, flushCorestore } from './corestore.js'
export { LogSync } from './log-sync.js'
export type {
  MailboxComponents,
  MailboxOptions,
  AddMessageInput,
  AddResult,
  ReadMessage,
  ListOptions,
  AddManyOptions,
  DeliveryUpdate,
} from './mailbox.js'
export { MailboxState, type StateChange, type StateEntry } from './state.js'
export type { FolderInfo } from './folders.js'
export type { IntegrityReport } from './integrity.js'
export { importMail, exportMail } from './transfer.js'
export type {
  ImportOptions,
  ImportReport,
  ImportProblem,
  ExportOptions,
  TransferProgress,
} from './transfer.js'
export type { Contact, KeyObservation } from './contacts.js'
export { normalizeSubject } from './threading.js'
export * from './mime/index.js'
export * from './search/index.js'
export * from './formats/index.js'
