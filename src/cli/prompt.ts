import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { CliUsageError } from './usage-error.js'

/**
 * Reads a secret without echoing it. Scripts set PEERMAIL_PASSPHRASE instead; with neither a terminal nor
 * the variable there is no way to ask, which is a usage error rather than a hang.
 */
export async function askSecret(
  question: string,
  envName = 'PEERMAIL_PASSPHRASE',
): Promise<string> {
  const fromEnv = process.env[envName]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (!process.stdin.isTTY)
    throw new CliUsageError(`no passphrase: set ${envName} or run in a terminal`)
  let muted = false
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk)
      done()
    },
  })
  const rl = createInterface({ input: process.stdin, output, terminal: true })
  try {
    process.stderr.write(question)
    muted = true
    return await new Promise<string>((resolve) => {
      rl.question('', resolve)
    })
  } finally {
    muted = false
    process.stderr.write('\n')
    rl.close()
  }
}

/** A new passphrase, asked twice in a terminal; at least 8 characters. */
export async function askNewPassphrase(): Promise<string> {
  const fromEnv = process.env.PEERMAIL_PASSPHRASE
  const first = await askSecret('New passphrase: ')
  if (fromEnv === undefined || fromEnv === '') {
    const second = await askSecret('Repeat it: ')
    if (second !== first) throw new CliUsageError('the two passphrases differ')
  }
  if (first.length < 8) throw new CliUsageError('the passphrase must be at least 8 characters')
  return first
}

/** All of standard input as text (for a recovery phrase or a body piped in). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** A yes/no question in a terminal; Enter takes the default. Without a terminal there is no one to ask. */
export async function askYesNo(question: string, defaultYes: boolean): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliUsageError(`cannot ask "${question}" without a terminal`)
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(`${question} ${defaultYes ? '[Y/n]' : '[y/N]'} `, resolve)
    })
    const text = answer.trim().toLowerCase()
    return text === '' ? defaultYes : text === 'y' || text === 'yes'
  } finally {
    rl.close()
  }
}
