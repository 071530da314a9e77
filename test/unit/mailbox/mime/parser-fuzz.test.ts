import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { createMimeParser, type ParsedMessage } from '../../../../src/mailbox/mime/index.js'
import { expectWellFormed, fixture, FIXTURES } from './mime-helpers.js'

// One parser for the whole file, as an importer would use it: the point is that it survives everything.
const parser = createMimeParser()
afterAll(() => parser.close())

/** Fragments that steer mutations toward the parser's interesting paths. */
const TOKENS = [
  '\r\n--',
  '\r\n\r\n',
  '\n',
  '=?utf-8?B?',
  '=?iso-8859-1?Q?=E9',
  'Content-Type: multipart/mixed; boundary=x\r\n',
  'Content-Transfer-Encoding: base64\r\n',
  'Content-Transfer-Encoding: quoted-printable\r\n',
  'charset=utf-16',
  '\u0000',
  '"',
  '<',
].map((token) => Buffer.from(token, 'latin1'))

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'token'; at: number; token: number }
  | { kind: 'duplicate-boundary'; which: number; times: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip'), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate'), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete'), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert'), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({ kind: fc.constant('token'), at: fc.nat(), token: fc.nat(TOKENS.length - 1) }),
  fc.record({
    kind: fc.constant('duplicate-boundary'),
    which: fc.nat(),
    times: fc.integer({ min: 1, max: 50 }),
  }),
)

function mutate(input: Buffer, m: Mutation): Buffer {
  const at = 'at' in m ? m.at % (input.length + 1) : 0
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(input)
      if (out.length > 0) out[at % out.length]! ^= m.mask
      return out
    }
    case 'truncate':
      return input.subarray(0, at)
    case 'delete':
      return Buffer.concat([input.subarray(0, at), input.subarray(at + m.length)])
    case 'insert':
      return Buffer.concat([input.subarray(0, at), m.bytes, input.subarray(at)])
    case 'token':
      return Buffer.concat([input.subarray(0, at), TOKENS[m.token]!, input.subarray(at)])
    case 'duplicate-boundary': {
      // repeat one boundary line (`--...`) several times in place
      const lines = [...input.toString('latin1').matchAll(/^--[^\r\n]*\r?\n/gm)]
      const line = lines[m.which % Math.max(lines.length, 1)]
      if (line === undefined) return input
      const end = line.index + line[0].length
      const copies = Buffer.from(line[0].repeat(m.times), 'latin1')
      return Buffer.concat([input.subarray(0, end), copies, input.subarray(end)])
    }
  }
}

async function parseChecked(raw: Buffer): Promise<ParsedMessage> {
  const message = await parser.parse(raw) // a rejection fails the property
  expectWellFormed(message)
  return message
}

describe('MimeParser fuzz', () => {
  it('resolves a well-formed result for random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        await parseChecked(Buffer.from(bytes))
      }),
      { numRuns: 100 },
    )
  })

  it('resolves a well-formed result for mutated fixtures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FIXTURES),
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        async (name, mutations) => {
          await parseChecked(mutations.reduce(mutate, fixture(name)))
        },
      ),
      { numRuns: 100 },
    )
  })

  it('is still usable afterwards', async () => {
    const m = await parseChecked(fixture('inline-image'))
    expect(m.parseError).toBeUndefined()
    expect(m.attachments.map((a) => a.filename)).toEqual(['garden.png', 'notes.txt'])
  })
})
