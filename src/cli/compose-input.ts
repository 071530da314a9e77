import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { readStdin } from './prompt.js'
import { CliUsageError } from './usage-error.js'

/** What the composing commands take from files and standard input. */
export interface BodyParts {
  text: string
  html?: string
  attachments: { filename: string; content: Buffer; contentType?: string }[]
}

/**
 * The message text: `--body`, else standard input when it is piped in (`echo hi | peermail send …`),
 * else, in a terminal, typed until Ctrl-D when `ask` is set, else empty.
 */
export async function readBody(body: string | undefined, ask: boolean): Promise<string> {
  if (body !== undefined) return body
  if (!process.stdin.isTTY) return readStdin()
  if (!ask) return ''
  process.stderr.write('Message (end with Ctrl-D on a line of its own):\n')
  return readStdin()
}

/** `--html FILE` and `--attach FILE...`, read now so a missing file fails before going online. */
export async function readParts(
  text: string,
  options: { html?: string; attach?: string[] },
): Promise<BodyParts> {
  const parts: BodyParts = { text, attachments: [] }
  if (options.html !== undefined) parts.html = (await readInput(options.html, '--html')).toString()
  for (const file of options.attach ?? [])
    parts.attachments.push({ filename: basename(file), content: await readInput(file, '--attach') })
  return parts
}

// A file the user named that cannot be read is a mistake in the command, not a Peermail failure.
async function readInput(path: string, option: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new CliUsageError(`${option} ${path}: cannot read the file (${reason})`)
  }
}
