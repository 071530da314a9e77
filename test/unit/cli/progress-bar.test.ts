import { describe, expect, test } from 'vitest'
import { ProgressBar } from '../../../src/cli/progress-bar.js'

/** Just enough of a terminal stream for cli-progress, recording what is drawn. */
function fakeStream(isTTY: boolean): NodeJS.WriteStream & { drawn: string } {
  const stream = {
    isTTY,
    columns: 100,
    drawn: '',
    write(chunk: string) {
      stream.drawn += chunk
      return true
    },
  }
  return stream as unknown as NodeJS.WriteStream & { drawn: string }
}

describe('ProgressBar', () => {
  test('draws a bar with the percentage and detail on a terminal, and clears it when stopped', () => {
    const stream = fakeStream(true)
    const bar = new ProgressBar('importing', 20, stream)
    bar.update(0, 200, '0 messages')
    bar.update(100, 200, '100 messages')
    bar.stop()
    expect(stream.drawn).toContain('importing [')
    expect(stream.drawn).toContain('50% 100 messages')
  })

  test('stays silent when the output is not a terminal (scripts, --json)', () => {
    const stream = fakeStream(false)
    const bar = new ProgressBar('importing', 20, stream)
    bar.update(10, 1000, 'x')
    bar.stop()
    expect(stream.drawn).toBe('')
  })

  test('stays silent for a job too small to be worth a bar', () => {
    const stream = fakeStream(true)
    const bar = new ProgressBar('exporting', 20, stream)
    bar.update(3, 5, '3 messages')
    bar.stop()
    expect(stream.drawn).toBe('')
  })
})
