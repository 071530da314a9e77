import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ByteColumn } from '../../../../src/mailbox/search/byte-column.js'
import { StringTable, type StringColumn } from '../../../../src/mailbox/search/strings.js'

/** StringTable and ByteColumn against plain arrays: the engine's ids and terms live in them. */

/** Strings that share prefixes and hash slots, with lone surrogates and astral characters. */
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', 'é', '東', '\ud800', '\udc00', '😀'), maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
)

/** The column as a snapshot holds it: the units in a buffer of their own. */
function stored(table: StringTable): StringColumn<Uint8Array> {
  const { lengths, units } = table.column()
  const bytes = new Uint8Array(units.length)
  units.copyTo(bytes, 0)
  return { lengths, units: bytes }
}

const sign = (n: number) => Math.sign(n)
const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

describe('StringTable', () => {
  it('behaves as an array of strings with an index of the ones not forgotten', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('add', 'forget'), text, fc.nat()), { maxLength: 120 }),
        (ops) => {
          const table = StringTable.empty()
          const texts: string[] = []
          const live = new Map<string, number>()
          for (const [op, value, pick] of ops) {
            if (op === 'add' && !live.has(value)) {
              expect(table.add(value)).toBe(texts.length)
              live.set(value, texts.length)
              texts.push(value)
            } else if (op === 'forget' && texts.length > 0) {
              const n = pick % texts.length
              table.forget(n)
              if (live.get(texts[n] ?? '') === n) live.delete(texts[n] ?? '')
            }
          }
          expect(table.count).toBe(texts.length)
          texts.forEach((value, n) => {
            expect(table.text(n)).toBe(value)
            expect(table.lookup(value)).toBe(live.get(value) ?? -1)
          })
          for (const [, probe] of ops) {
            expect(table.lookup(probe)).toBe(live.get(probe) ?? -1)
            texts.forEach((value, n) => {
              expect(sign(table.compare(n, probe))).toBe(order(value, probe))
              expect(table.startsWith(n, probe)).toBe(value.startsWith(probe))
            })
          }
          texts.forEach((a, i) => {
            texts.forEach((b, j) => {
              expect(sign(table.compareEntries(i, j))).toBe(order(a, b))
            })
          })
        },
      ),
      { numRuns: 200 },
    )
  })

  it('comes back from its column, read in place, and refuses a column with a repeat', () => {
    fc.assert(
      fc.property(fc.uniqueArray(text, { maxLength: 60 }), (texts) => {
        const table = StringTable.empty()
        for (const value of texts) table.add(value)
        const column = stored(table)
        const restored = StringTable.over(column)
        expect(restored).not.toBeNull()
        texts.forEach((value, n) => {
          expect(restored?.text(n)).toBe(value)
          expect(restored?.lookup(value)).toBe(n)
        })
        expect(restored?.add('\u0000new')).toBe(texts.length)
        expect(restored?.lookup('\u0000new')).toBe(texts.length)
        expect(column.units).toEqual(stored(table).units) // the pushes left the region alone
        if (texts.length > 0) {
          const repeated = StringTable.empty()
          for (const value of [...texts, texts[0] ?? '']) repeated.add(value)
          expect(StringTable.over(stored(repeated))).toBeNull()
        }
      }),
      { numRuns: 200 },
    )
  })

  it('remaps: drops the strings mapped to -1 and renumbers the rest in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(text, { maxLength: 60 }),
        fc.array(fc.boolean()),
        (texts, keep) => {
          const table = StringTable.empty()
          for (const value of texts) table.add(value)
          const map = new Int32Array(texts.length).fill(-1)
          const kept = texts.filter((_, n) => {
            if (keep[n] === false) return false
            map[n] = n - texts.slice(0, n).filter((__, m) => keep[m] === false).length
            return true
          })
          const remapped = table.remap(map, kept.length)
          expect(remapped.count).toBe(kept.length)
          kept.forEach((value, n) => {
            expect(remapped.text(n)).toBe(value)
            expect(remapped.lookup(value)).toBe(n)
          })
          texts.forEach((value, n) => {
            if (map[n] === -1) expect(remapped.lookup(value)).toBe(-1)
          })
        },
      ),
      { numRuns: 200 },
    )
  })

  it('finds each of many strings after the index grows and forgets', () => {
    const table = StringTable.empty()
    const count = 50_000
    for (let n = 0; n < count; n++) table.add(`id${n}`)
    for (let n = 0; n < count; n += 2) table.forget(n)
    for (let n = count; n < count + 1000; n++) table.add(`id${n}`)
    for (let n = 0; n < count + 1000; n++) {
      expect(table.lookup(`id${n}`)).toBe(n < count && n % 2 === 0 ? -1 : n)
    }
  })
})

describe('ByteColumn', () => {
  it('holds what was pushed, after a region it reads in place', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }),
        fc.array(fc.uint8Array({ maxLength: 300_000 }), { maxLength: 12 }),
        (first, pushed) => {
          const region = new Uint8Array(first.reduce((n, bytes) => n + bytes.length, 0))
          let at = 0
          for (const bytes of first) {
            region.set(bytes, at)
            at += bytes.length
          }
          const copy = region.slice()
          const column = ByteColumn.over(
            region,
            Uint32Array.from(first, (b) => b.length),
          )
          for (const bytes of pushed) column.push(bytes)
          const all = [...first, ...pushed]
          expect(column.count).toBe(all.length)
          all.forEach((bytes, i) => {
            expect(column.get(i)).toEqual(bytes)
            expect(column.chunk(i).subarray(column.start(i), column.end(i))).toEqual(bytes)
          })
          expect(region).toEqual(copy)
        },
      ),
      { numRuns: 50 },
    )
  })
})
