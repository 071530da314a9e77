import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createTransport, type Transporter } from 'nodemailer'

/** A DNS resolver for mailauth that answers only from `records` (`'TXT name'` → rows); others NXDOMAIN. */
export function fixedResolver(records: Record<string, string[][] | string[]>) {
  return (name: string, type: string): Promise<string[][] | string[]> => {
    const answer = records[`${type} ${name.toLowerCase()}`]
    if (answer) return Promise.resolve(answer)
    return Promise.reject(Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' }))
  }
}

/** A fresh self-signed certificate for `name`, made with openssl in `dir` (never committed). */
export async function selfSignedCert(
  dir: string,
  name: string,
): Promise<{ key: Buffer; cert: Buffer }> {
  const key = join(dir, 'tls-key.pem')
  const cert = join(dir, 'tls-cert.pem')
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-addext',
    `subjectAltName=DNS:${name}`,
    '-keyout',
    key,
    '-out',
    cert,
  ])
  return { key: await readFile(key), cert: await readFile(cert) }
}

/** A nodemailer transport to the bridge on loopback, plain (no STARTTLS) unless `tls` is given. */
export function smtpClient(port: number, tls?: { ca: Buffer; servername: string }): Transporter {
  return createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ...(tls
      ? { requireTLS: true, tls: { ca: tls.ca, servername: tls.servername } }
      : { ignoreTLS: true }),
    name: 'client.sender.test',
  })
}

/** A hand-driven SMTP session, for what no well-behaved client will send (bare LF, smuggling). */
export class SmtpDialog {
  private buffer = ''
  private waiting: ((reply: string) => void) | null = null
  private readonly replies: string[] = []

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      this.buffer += chunk
      // A reply ends with a line "NNN text" (no dash after the code).
      let match: RegExpExecArray | null
      while ((match = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/.exec(this.buffer))) {
        this.buffer = this.buffer.slice(match[0].length)
        this.replies.push(match[0])
      }
      this.flush()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.replies.push('closed')
      this.flush()
    })
  }

  static open(port: number): Promise<SmtpDialog> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        resolve(new SmtpDialog(socket))
      })
      socket.once('error', reject)
    })
  }

  /** The next reply from the server (the greeting first). */
  reply(): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve
      this.flush()
    })
  }

  /** Sends raw bytes and waits for the next reply. */
  async send(bytes: string): Promise<string> {
    this.socket.write(Buffer.from(bytes, 'latin1'))
    return this.reply()
  }

  close(): void {
    this.socket.destroy()
  }

  private flush(): void {
    if (!this.waiting) return
    const next = this.replies.shift()
    if (next === undefined) return
    const waiting = this.waiting
    this.waiting = null
    waiting(next)
  }
}
