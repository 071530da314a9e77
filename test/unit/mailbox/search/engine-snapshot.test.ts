import { crc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { MailboxError, MailboxErrorCode } from '../../../../src/mailbox/errors.js'
import {
  SNAPSHOT_VERSION,
  SearchEngine,
  prepareDoc,
} from '../../../../src/mailbox/search/engine.js'
import { parseQuery } from '../../../../src/mailbox/search/query.js'
import { CORPUS, QUERY_TABLE } from './corpus.js'

/** Restoring damaged snapshots: CORRUPT every time, or (when damage is resealed) a working engine. */

const HEADER = 12
const QUERIES = QUERY_TABLE.map(([query]) => parseQuery(query, { now: 0, implicitPrefix: false }))

function build(): SearchEngine {
  const engine = new SearchEngine()
  for (const doc of CORPUS) engine.apply({ op: 'add', doc: prepareDoc(doc) })
  engine.apply({ op: 'remove', id: 'm05' })
  return engine
}

const VALID = build().snapshot()

/** The error `restore` throws, or undefined when it returns. */
function restoreError(buffer: Uint8Array): unknown {
  try {
    SearchEngine.restore(buffer as Buffer)
    return undefined
  } catch (err) {
    return err
  }
}

function expectCorrupt(buffer: Uint8Array): void {
  const err = restoreError(buffer)
  expect(err).toBeInstanceOf(MailboxError)
  expect((err as MailboxError).code).toBe(MailboxErrorCode.CORRUPT)
}

/** A copy of `buffer` with the checksum recomputed, as a forger (or a bug) would write it. */
function reseal(buffer: Uint8Array): Buffer {
  const copy = Buffer.from(buffer)
  copy.writeUInt32LE(crc32(copy.subarray(HEADER)), 8)
  return copy
}

/** A snapshot whose body is `bytes`, with a valid header and checksum. */
function forged(bytes: readonly number[]): Buffer {
  const header = Buffer.alloc(HEADER)
  header.write('PMSX', 0, 'latin1')
  header[4] = SNAPSHOT_VERSION
  return reseal(Buffer.concat([header, Buffer.from(bytes)]))
}

function varint(value: number): number[] {
  const bytes: number[] = []
  let v = value
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  bytes.push(v)
  return bytes
}

describe('SearchEngine.restore of damaged input', () => {
  it('accepts the valid snapshot (so the cases below test the damage)', () => {
    expect(restoreError(VALID)).toBeUndefined()
    expect(restoreError(new Uint8Array(VALID))).toBeUndefined()
  })

  it('refuses every truncation', () => {
    for (let length = 0; length < VALID.length; length++) {
      expectCorrupt(VALID.subarray(0, length))
    }
    expectCorrupt(Buffer.concat([VALID, Buffer.from([0])]))
  })

  it('refuses random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expectCorrupt(bytes)
      }),
      { numRuns: 200 },
    )
  })

  it('refuses any damage to a valid snapshot (the checksum)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const damaged = Buffer.from(VALID)
          for (const [at, xor] of edits) {
            const i = at % damaged.length
            damaged[i] = (damaged[i] ?? 0) ^ xor
          }
          if (!damaged.equals(VALID)) expectCorrupt(damaged)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('refuses resealed damage with CORRUPT, or restores an engine that still works', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const damaged = Buffer.from(VALID)
          for (const [at, value] of edits) {
            damaged[HEADER + (at % (damaged.length - HEADER))] = value
          }
          const err = restoreError(reseal(damaged))
          if (err !== undefined) {
            expect((err as MailboxError).code).toBe(MailboxErrorCode.CORRUPT)
            return
          }
          const engine = SearchEngine.restore(reseal(damaged))
          for (const query of QUERIES) engine.search(query, { limit: 500 })
          SearchEngine.restore(engine.snapshot())
        },
      ),
      { numRuns: 200 },
    )
  })

  it('refuses random bodies behind a valid header and checksum', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 512 }), (bytes) => {
        const err = restoreError(forged(bytes))
        if (err !== undefined) expect((err as MailboxError).code).toBe(MailboxErrorCode.CORRUPT)
      }),
      { numRuns: 200 },
    )
  })

  it('refuses hostile counts and lengths at once, without allocating for them', () => {
    const huge = varint(2 ** 31 - 1)
    const emptyTable = [0]
    const cases: number[][] = [
      [...huge, 0],
      [0, ...huge],
      [0, 0, ...huge],
      [0, 0, 1, ...huge],
      [0, 0, ...emptyTable, ...emptyTable, ...emptyTable, ...emptyTable, ...huge],
      [0, 1, ...emptyTable, ...emptyTable, ...emptyTable, 1, 1, 0x61, 0, 0, ...huge],
      // Complete, but the one posting names document 5 of none.
      [0, 1, ...emptyTable, ...emptyTable, ...emptyTable, 1, 1, 0x61, 0, 0, 1, 13],
      [0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
    ]
    for (const body of cases) expectCorrupt(forged(body))
  })

  it('refuses other versions, other formats and non-buffers', () => {
    const otherVersion = Buffer.from(VALID)
    otherVersion[4] = SNAPSHOT_VERSION + 1
    expectCorrupt(reseal(otherVersion))
    const otherMagic = Buffer.from(VALID)
    otherMagic[0] = 0x51
    expectCorrupt(reseal(otherMagic))
    for (const value of [undefined, null, 'PMSX', 42, [1, 2, 3], {}]) {
      expectCorrupt(value as Uint8Array)
    }
  })
})
