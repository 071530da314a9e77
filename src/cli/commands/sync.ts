import type { Command } from 'commander'
import type { DeliveryEvent, MessageSummary } from '../../client/index.js'
import type { GlobalOptions } from '../options.js'
import { print, summaryLine } from '../output.js'
import { toInt, toSeconds } from '../parse.js'
import { ProgressBar } from '../progress-bar.js'
import { sleep, withAccount } from '../session.js'

/**
 * The receipt for a mail is sent just after the mail is stored and announced (src/sync/inbox.ts), and
 * nothing signals that it went out. Staying online this long after the last mail lets it leave now, so
 * the sender sees "delivered" at once instead of the next time the two of you are online together.
 */
const RECEIPT_GRACE_MS = 2000
/** A catch-up of fewer mails than this goes by too fast for a progress bar. */
const FEW_MAILS = 20

/** `sync`: stay online, delivering what is queued and receiving mail, until told to stop. */
export function syncCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('sync')
    .description('go online: deliver queued mail and receive new mail (until Ctrl-C)')
    .option('-c, --count <n>', 'stop once this many mails have arrived')
    .option('-t, --timeout <seconds>', 'stop after this many seconds')
    .addHelpText(
      'after',
      [
        '',
        'Prints one line per arriving mail (--json: one JSON object per line); progress goes to stderr.',
        'Ctrl-C (or SIGTERM) closes the account cleanly and exits 0, as do --count and --timeout.',
        '',
        'Example:',
        '  peermail sync --count 1 --timeout 60 --json',
      ].join('\n'),
    )
    .action(async (opts: { count?: string; timeout?: string }) => {
      const g = globals()
      const count = opts.count === undefined ? undefined : toInt(opts.count, 'count', 1)
      const timeout = opts.timeout === undefined ? undefined : toSeconds(opts.timeout, 'timeout')
      await withAccount(g, async (account, stop) => {
        let received = 0
        let lastMailAt = 0
        let enough = () => {}
        const onMail = (summary: MessageSummary) => {
          received++
          lastMailAt = Date.now()
          print(g.json, summary, () => `${summary.folder.padEnd(8)} ${summaryLine(summary)}`)
          if (count !== undefined && received >= count) enough()
        }
        const onDelivery = (update: DeliveryEvent) => {
          process.stderr.write(`${update.state}: ${update.id} to ${update.recipient}\n`)
        }
        const onRelay = (status: { relay: string; quotaBytes: number; usedBytes: number }) => {
          const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
          process.stderr.write(
            `relay ${status.relay} keeps your mail while you are offline (${mb(status.usedBytes)} of ${mb(status.quotaBytes)} MB used)\n`,
          )
        }
        // One bar for every log being caught up (each from where its catch-up began), gone when all are.
        const bar = new ProgressBar('receiving', FEW_MAILS)
        const catchingUp = new Map<string, { start: number; handled: number; length: number }>()
        const onProgress = (p: { log: string; handled: number; length: number }) => {
          const log = catchingUp.get(p.log) ?? { start: p.handled, handled: p.handled, length: 0 }
          catchingUp.set(p.log, { ...log, handled: p.handled, length: p.length })
          let done = 0
          let total = 0
          for (const { start, handled, length } of catchingUp.values()) {
            done += handled - start
            total += length - start
          }
          if (done >= total) {
            bar.stop()
            catchingUp.clear()
          } else bar.update(done, total, `${done} of ${total}`)
        }
        account.on('mail', onMail)
        account.on('delivery', onDelivery)
        account.on('relay', onRelay)
        account.on('progress', onProgress)
        try {
          process.stderr.write(
            `Online as ${account.address}: delivering queued mail and receiving (Ctrl-C to stop)\n`,
          )
          const limit = new AbortController()
          enough = () => {
            limit.abort()
          }
          const either = AbortSignal.any([stop, limit.signal])
          await sleep(timeout === undefined ? Number.POSITIVE_INFINITY : timeout * 1000, either)
          const sinceLast = Date.now() - lastMailAt
          if (sinceLast < RECEIPT_GRACE_MS) await sleep(RECEIPT_GRACE_MS - sinceLast, stop)
        } finally {
          account.off('mail', onMail)
          account.off('delivery', onDelivery)
          account.off('relay', onRelay)
          account.off('progress', onProgress)
          bar.stop()
        }
        process.stderr.write(`Offline: ${received} new mail${received === 1 ? '' : 's'}\n`)
      })
    })
}
