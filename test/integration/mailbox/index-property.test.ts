/**
 * Property: whatever sequence of operations runs (adds, flags, moves, copies, deletes, folder changes,
 * reopening), the index agrees with the message records and with a simple model of the mailbox.
 */
import { describe, expect } from 'vitest'
import fc from 'fast-check'
import type { Mailbox } from '../../../src/mailbox/index.js'
import { rawMessage, test, type MailboxHome } from '../../helpers/mailbox.js'

type Model = Map<string, { folder: string; seen: boolean }>
type Op =
  | { kind: 'add'; subject: string; folder: 'inbox' | 'archive' }
  | { kind: 'flag'; pick: number; seen: boolean }
  | { kind: 'move'; pick: number; folder: string }
  | { kind: 'copy'; pick: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'trash'; pick: number }
  | { kind: 'reopen' }

const FOLDERS = ['inbox', 'archive', 'spam', 'trash']
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      subject: fc.string({ maxLength: 12 }),
      folder: fc.constantFrom('inbox' as const, 'archive' as const),
    }),
    weight: 4,
  },
  fc.record({ kind: fc.constant('flag' as const), pick: fc.nat(), seen: fc.boolean() }),
  fc.record({
    kind: fc.constant('move' as const),
    pick: fc.nat(),
    folder: fc.constantFrom(...FOLDERS),
  }),
  fc.record({ kind: fc.constant('copy' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('trash' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('reopen' as const) }),
)

async function apply(
  home: MailboxHome,
  mailbox: Mailbox,
  model: Model,
  o: Op,
  n: number,
): Promise<Mailbox> {
  const ids = [...model.keys()]
  const id = ids.length > 0 && 'pick' in o ? ids[o.pick % ids.length]! : undefined
  switch (o.kind) {
    case 'add': {
      const m = await mailbox.add({
        raw: rawMessage({ subject: `${o.subject} #${n}` }),
        folder: o.folder,
      })
      model.set(m.id, { folder: o.folder, seen: false })
      return mailbox
    }
    case 'reopen':
      return home.open()
    default:
      if (!id) return mailbox
  }
  const state = model.get(id)!
  if (o.kind === 'flag') {
    await mailbox.setFlags(id, { seen: o.seen })
    state.seen = o.seen
  } else if (o.kind === 'move') {
    await mailbox.move(id, o.folder)
    state.folder = o.folder
  } else if (o.kind === 'trash') {
    await mailbox.trash(id)
    state.folder = 'trash'
  } else if (o.kind === 'copy') {
    const copy = await mailbox.copy(id, 'archive')
    model.set(copy.id, { folder: 'archive', seen: state.seen })
  } else {
    await mailbox.deleteForever(id)
    model.delete(id)
  }
  return mailbox
}

describe('index consistency', () => {
  test(
    'holds over random operation sequences, with reopens',
    { timeout: 240_000 },
    async ({ home }) => {
      let round = 0
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
          let mailbox = await home.open()
          for (const m of (await mailbox.check()).messages > 0 ? await everything(mailbox) : []) {
            await mailbox.deleteForever(m)
          }
          const model: Model = new Map()
          for (const o of ops) mailbox = await apply(home, mailbox, model, o, round++)
          const report = await mailbox.check()
          expect(report.problems).toEqual([])
          expect(report.messages).toBe(model.size)
          const counts = await mailbox.counts()
          for (const folder of FOLDERS) {
            const inFolder = [...model.values()].filter((s) => s.folder === folder)
            expect(counts[folder]).toEqual({
              total: inFolder.length,
              unread: inFolder.filter((s) => !s.seen).length,
            })
            const listed = (await mailbox.list({ folder, limit: 500 })).items
            expect(listed.map((m) => m.id).sort()).toEqual(
              [...model]
                .filter(([, s]) => s.folder === folder)
                .map(([i]) => i)
                .sort(),
            )
          }
        }),
        { numRuns: 25 },
      )
    },
  )
})

async function everything(mailbox: Mailbox): Promise<string[]> {
  const ids: string[] = []
  for (const folder of FOLDERS)
    ids.push(...(await mailbox.list({ folder, limit: 500 })).items.map((m) => m.id))
  return ids
}
