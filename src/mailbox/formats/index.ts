/** Mail file formats for import and export: mbox (streaming), single `.eml` files, and detection. */
export {
  readMbox,
  writeMbox,
  type MboxEntry,
  type MboxMessage,
  type MboxReadProgress,
  type MboxSource,
  type MboxVariant,
  type MboxWriteProgress,
  type ReadMboxOptions,
  type WriteMboxOptions,
  type WriteMboxResult,
} from './mbox.js'
export {
  readEml,
  writeEmlFiles,
  type EmlMessage,
  type ReadEmlOptions,
  type WriteEmlOptions,
  type WriteEmlResult,
} from './eml.js'
export { detectFormat, type MailFormat } from './detect.js'
export { asctime, formatFromLine } from './from-line.js'
