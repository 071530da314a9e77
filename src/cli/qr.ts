import QRCode from 'qrcode'

/**
 * A QR code as text: two module rows per line in half-block characters, with the four-module quiet
 * zone scanners need. On a terminal it is drawn dark-on-light with ANSI colours so that it scans on
 * dark themes too; elsewhere (a pipe, a file) it stays plain text, dark modules as ink.
 */
export function qrText(text: string, options: { colour: boolean }): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const quiet = 4
  const size = modules.size + 2 * quiet
  const dark = (row: number, col: number): boolean => {
    const r = row - quiet
    const c = col - quiet
    return r >= 0 && c >= 0 && r < modules.size && c < modules.size && modules.get(r, c) === 1
  }
  const lines: string[] = []
  for (let row = 0; row < size; row += 2) {
    let line = ''
    for (let col = 0; col < size; col++) {
      const top = dark(row, col)
      const bottom = row + 1 < size && dark(row + 1, col)
      line += top ? (bottom ? '█' : '▀') : bottom ? '▄' : ' '
    }
    lines.push(options.colour ? `\x1b[47m\x1b[30m${line}\x1b[0m` : line)
  }
  return lines.join('\n')
}
