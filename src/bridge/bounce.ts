import { composeMessage } from '../mailbox/index.js'
import { headerValue } from './header-fields.js'

/** One recipient the bridge gave up on, and the last reply it had. */
export interface Failure {
  recipient: string
  reason: string
}

/**
 * The non-delivery report put in the account's inbox when mail it sent through the bridge failed for
 * good: who, why (the remote server's reply), and the original headers so the user knows which mail.
 * Plain text; the original body is not repeated (the account has it in Sent).
 */
export function composeBounce(
  domain: string,
  alias: string,
  original: Buffer,
  failures: Failure[],
): Promise<Buffer> {
  const subject = headerValue(original, 'subject') ?? ''
  const messageId = headerValue(original, 'message-id')
  const lines = [
    `Your mail could not be delivered to ${failures.length === 1 ? 'this recipient' : 'these recipients'}:`,
    '',
    ...failures.map((f) => `  ${f.recipient}: ${f.reason}`),
    '',
    `Subject: ${subject}`,
    ...(messageId ? [`Message-ID: ${messageId}`] : []),
  ]
  return composeMessage({
    from: { name: 'Mail Delivery System', address: `mailer-daemon@${domain}` },
    to: [{ name: '', address: alias }],
    subject: `Undelivered mail: ${subject}`.slice(0, 900),
    text: lines.join('\n') + '\n',
    ...(messageId ? { inReplyTo: messageId, references: [messageId] } : {}),
  })
}
