import QRCode from 'qrcode'
import { describe, expect, test } from 'vitest'
import { qrText } from '../../../src/cli/qr.js'

const ADDRESS = 'pm1su5w44wh9damn9ta7qfbt87frcmjrywaq1nc54febyzfk99ktxg8ardcde'

/** Reads the module grid back out of the half-block text. */
function modulesOf(text: string): boolean[][] {
  const rows: boolean[][] = []
  for (const line of text.split('\n')) {
    const chars = Array.from(line) // block characters only: code points are what is wanted
    rows.push(chars.map((c) => c === '█' || c === '▀'))
    rows.push(chars.map((c) => c === '█' || c === '▄'))
  }
  return rows
}

describe('qrText', () => {
  test('draws every module of the code, with a four-module quiet zone', () => {
    const { modules } = QRCode.create(ADDRESS, { errorCorrectionLevel: 'M' })
    const grid = modulesOf(qrText(ADDRESS, { colour: false }))
    for (let r = 0; r < modules.size + 8; r++) {
      for (let c = 0; c < modules.size + 8; c++) {
        const inside = r >= 4 && c >= 4 && r < modules.size + 4 && c < modules.size + 4
        const expected = inside && modules.get(r - 4, c - 4) === 1
        expect(grid[r]?.[c], `module ${r},${c}`).toBe(expected)
      }
    }
  })

  test('wraps each line in dark-on-light colours only when asked', () => {
    expect(qrText(ADDRESS, { colour: false })).not.toContain('\x1b')
    const lines = qrText(ADDRESS, { colour: true }).split('\n')
    expect(lines.every((l) => l.startsWith('\x1b[47m\x1b[30m') && l.endsWith('\x1b[0m'))).toBe(true)
  })
})
