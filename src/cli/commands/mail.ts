import type { Command } from 'commander'
import type { GlobalOptions } from '../options.js'
import { basename } from 'node:path'
import { addresses, print, summaryLine } from '../output.js'
import { toInt } from '../parse.js'
import { ProgressBar } from '../progress-bar.js'
import { withNode } from '../session.js'
import { CliUsageError } from '../usage-error.js'

/** Fewer messages than this go by too fast for a progress bar. */
const FEW_MESSAGES = 20
/** An mbox smaller than this (a few dozen typical mails) imports too fast for a progress bar. */
const FEW_MESSAGES_BYTES = 512 * 1024

/** `list`, `read`, `search`, `import`, `export`. */
export function mailCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('list')
    .description('list messages in a folder, newest first')
    .option('-f, --folder <name>', 'folder', 'inbox')
    .option('-u, --unread', 'only unread messages')
    .option('-n, --limit <n>', 'messages per page (1-500)', '20')
    .option('--cursor <cursor>', 'the next-page cursor printed by the previous page')
    .addHelpText('after', '\nExample:\n  peermail list --folder archive --unread --json')
    .action(async (opts: { folder: string; unread?: boolean; limit: string; cursor?: string }) => {
      await withNode(globals(), async (node, { json }) => {
        const page = await node.mailbox.list({
          folder: opts.folder,
          limit: toInt(opts.limit, 'limit'),
          ...(opts.unread ? { unread: true } : {}),
          ...(opts.cursor === undefined ? {} : { cursor: opts.cursor }),
        })
        print(
          json,
          page,
          () =>
            [
              ...page.items.map(summaryLine),
              ...(page.next ? [`(more: --cursor ${page.next})`] : []),
            ].join('\n') || '(no messages)',
        )
      })
    })

  program
    .command('read <id>')
    .description('show one message')
    .addHelpText('after', '\nExample:\n  peermail read 01kaxyz... --json')
    .action(async (id: string) => {
      await withNode(globals(), async (node, { json }) => {
        const message = await node.mailbox.read(id)
        const forJson = {
          ...message,
          attachments: message.attachments.map(({ content, ...rest }) => ({
            ...rest,
            size: content.length,
          })),
        }
        print(json, forJson, () =>
          [
            `From:    ${addresses(message.from)}`,
            // The From header is whatever the sender wrote; the peer is what the transport proved.
            ...(message.peer ? [`Peer:    ${message.peer} (authenticated sender)`] : []),
            `To:      ${addresses(message.to)}`,
            ...(message.cc.length > 0 ? [`Cc:      ${addresses(message.cc)}`] : []),
            `Date:    ${new Date(message.date).toUTCString()}`,
            `Subject: ${message.subject}`,
            ...message.attachments.map(
              (a) => `Attached: ${a.filename ?? '(unnamed)'} (${a.content.length} bytes)`,
            ),
            '',
            message.text ?? '(no plain-text part)',
          ].join('\n'),
        )
      })
    })

  program
    .command('search <query...>')
    .description(
      'search mail: words, "phrases", from: to: subject: has:attachment is:unread in: before: after:',
    )
    .option('-n, --limit <n>', 'results (1-500)', '20')
    .addHelpText(
      'after',
      '\nExample:\n  peermail search from:alice has:attachment after:2026/01/01 report --json',
    )
    .action(async (words: string[], opts: { limit: string }) => {
      await withNode(globals(), async (node, { json }) => {
        const result = await node.mailbox.search(words.join(' '), {
          limit: toInt(opts.limit, 'limit'),
        })
        print(json, result, () => result.items.map(summaryLine).join('\n') || '(no matches)')
      })
    })

  program
    .command('import <files...>')
    .description('import mbox files, .eml files or folders of .eml files (format detected)')
    .option(
      '-f, --folder <name>',
      'folder to import into (default: where Gmail had it, else inbox)',
    )
    .addHelpText('after', '\nExample:\n  peermail import ~/Takeout/Mail/All\\ mail.mbox')
    .action(async (files: string[], opts: { folder?: string }) => {
      await withNode(globals(), async (node, { json }) => {
        // One bar per file named: an mbox shows its bytes read, a folder of .eml files its files.
        let current: { file: string; bar: ProgressBar } | undefined
        const report = await node
          .importMail(files, {
            ...(opts.folder === undefined ? {} : { folder: opts.folder }),
            onProgress: (p) => {
              if (current?.file !== p.file) {
                current?.bar.stop()
                const worth = p.totalBytes === undefined ? FEW_MESSAGES : FEW_MESSAGES_BYTES
                current = {
                  file: p.file,
                  bar: new ProgressBar(`importing ${basename(p.file)}`, worth),
                }
              }
              const detail = `${p.messages} messages`
              if (p.totalBytes !== undefined)
                current.bar.update(p.bytesRead ?? 0, p.totalBytes, detail)
              else if (p.totalMessages !== undefined)
                current.bar.update(p.messages, p.totalMessages, detail)
            },
          })
          .finally(() => {
            current?.bar.stop()
          })
        print(json, report, () =>
          [
            `Imported ${report.imported} messages (${report.duplicates} already present).`,
            ...report.problems.map((p) => `  skipped: ${p.message} [${p.code}]`),
          ].join('\n'),
        )
      })
    })

  program
    .command('export')
    .description('export mail, byte for byte, as one mbox file or a folder of .eml files')
    .requiredOption('--format <format>', 'mbox or eml')
    .requiredOption('-o, --out <path>', 'file (mbox) or directory (eml) to create')
    .option('-f, --folder <name>', 'only this folder (default: all)')
    .addHelpText('after', '\nExample:\n  peermail export --format mbox --out backup.mbox')
    .action(async (opts: { format: string; out: string; folder?: string }) => {
      if (opts.format !== 'mbox' && opts.format !== 'eml')
        throw new CliUsageError('--format must be mbox or eml')
      const format = opts.format
      await withNode(globals(), async (node, { json }) => {
        const bar = new ProgressBar('exporting', FEW_MESSAGES)
        const result = await node
          .exportMail({
            format,
            out: opts.out,
            ...(opts.folder === undefined ? {} : { folder: opts.folder }),
            onProgress: (p) => {
              bar.update(p.messages, p.totalMessages ?? p.messages, `${p.messages} messages`)
            },
          })
          .finally(() => {
            bar.stop()
          })
        print(
          json,
          result,
          () => `Exported ${result.messages} messages (${result.bytes} bytes) to ${opts.out}`,
        )
      })
    })
}
