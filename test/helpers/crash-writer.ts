/**
 * Child process for the crash test: writes to a mailbox as fast as it can until it is killed, printing
 * `INTENT <json>` before each operation and `ACK <json>` once it returned. Pipes to the parent are
 * synchronous on Linux, so every ACK the parent reads was printed after the operation completed.
 *   node --import tsx test/helpers/crash-writer.ts DIR KEY_HEX ROUND
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import Corestore from 'corestore'
import { createMimeParser, openMailbox } from '../../src/mailbox/index.js'

const [dir, keyHex, round] = process.argv.slice(2)
if (!dir || !keyHex || !round) throw new Error('usage: crash-writer DIR KEY_HEX ROUND')

const store = new Corestore(join(dir, 'cores'))
const parser = createMimeParser()
const mailbox = await openMailbox({ store, parser }, { storageKey: Buffer.from(keyHex, 'hex') })
const say = (kind: string, value: unknown) =>
  process.stdout.write(`${kind} ${JSON.stringify(value)}\n`)
const folders = ['inbox', 'archive', 'spam']
const known: string[] = []
for (const folder of folders) {
  for (const m of (await mailbox.list({ folder, limit: 500 })).items) known.push(m.id)
}
say('READY', { known: known.length })

let n = 0
for (;;) {
  const dice = Math.random()
  if (dice < 0.7 || known.length === 0) {
    const raws = Array.from({ length: 1 + Math.floor(Math.random() * 4) }, () => {
      n++
      const body = 'x'.repeat(Math.floor(Math.random() * 20_000))
      return Buffer.from(
        `From: a@example.org\r\nTo: b@example.org\r\nSubject: r${round}-${n}\r\nMessage-ID: <r${round}-${n}@t>\r\n\r\n${body}\r\n`,
      )
    })
    const hashes = raws.map((r) => createHash('sha256').update(r).digest('hex'))
    say('INTENT', { op: 'add', hashes })
    const results = await mailbox.addMany(raws.map((raw) => ({ raw })))
    const ids = results.map((r) => (r.ok ? r.summary.id : null))
    for (const id of ids) if (id) known.push(id)
    say('ACK', { op: 'add', ids, hashes })
  } else {
    const id = known[Math.floor(Math.random() * known.length)]!
    if (dice < 0.85) {
      const seen = Math.random() < 0.5
      say('INTENT', { op: 'flag', id, seen })
      await mailbox.setFlags(id, { seen })
      say('ACK', { op: 'flag', id, seen })
    } else {
      const folder = folders[Math.floor(Math.random() * folders.length)]!
      say('INTENT', { op: 'move', id, folder })
      await mailbox.move(id, folder)
      say('ACK', { op: 'move', id, folder })
    }
  }
}
