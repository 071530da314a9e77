import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { snippetOf } from '../../../src/mailbox/records.js'

// The definition snippetOf must keep while reading only the start of a long text.
const reference = (text: string, length: number) =>
  text.replace(/\s+/g, ' ').trim().slice(0, length)

describe('snippetOf', () => {
  it('collapses whitespace and cuts at the length', () => {
    expect(snippetOf('  Hello\r\n\r\n  world\t!  ')).toBe('Hello world !')
    expect(snippetOf(undefined)).toBe('')
    expect(snippetOf('a'.repeat(300))).toBe('a'.repeat(200))
    expect(snippetOf('ab  cd', 3)).toBe('ab ')
  })

  it('reads past a long run of leading whitespace', () => {
    const text = `${' \n'.repeat(50_000)}first words`
    expect(snippetOf(text)).toBe('first words')
  })

  it('agrees with collapsing the whole text, whatever the text and length', () => {
    const piece = fc.oneof(
      fc.constantFrom(' ', '\n', '\r\n', '\t', '\u00a0', '\u2028', '  \n  '),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
    )
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 400 }),
        fc.integer({ min: 1, max: 60 }),
        (pieces, length) => {
          const text = pieces.join('')
          expect(snippetOf(text, length)).toBe(reference(text, length))
        },
      ),
      { numRuns: 500 },
    )
  })
})
