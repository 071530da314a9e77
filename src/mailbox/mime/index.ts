/**
 * The MIME boundary of the mailbox: parsing untrusted messages in a guarded worker, composing outgoing
 * ones, and checking addresses before they reach nodemailer.
 */
export type { MailAddress, ParsedAttachment, ParsedMessage, ParseErrorInfo } from './types.js'
export {
  createMimeParser,
  MIME_PARSER_DEFAULTS,
  type MimeParser,
  type MimeParserOptions,
} from './parser.js'
export {
  composeMessage,
  generateMessageId,
  type ComposeAttachment,
  type ComposeInput,
} from './composer.js'
export {
  MAX_ADDRESS_LENGTH,
  MAX_ADDRESS_LIST_ENTRIES,
  MAX_ADDRESS_LIST_LENGTH,
  MAX_NAME_LENGTH,
  parseAddressList,
  validateMailAddress,
} from './address.js'
export { scanHeaders, type ScannedHeader } from './header-scan.js'
