/**
 * A deterministic corpus of realistic-looking mail for benchmarks: Zipf-distributed words, a few hundred
 * correspondents, threads of replies, HTML parts and attachments on some, dates over three years.
 */

/** Small, fast, seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'sa',
  'ti',
  'vo',
  'ze',
  'pa',
  'de',
  'fi',
  'gu',
  'ha',
  'jo',
  'be',
]

export interface Corpus {
  /** Raw RFC 5322 message number `i` (CRLF). */
  message(i: number): Buffer
  /** Words that queries can look for, most common first. */
  vocabulary: string[]
  /** Correspondents' local parts. */
  people: string[]
}

export function makeCorpus(seed = 42): Corpus {
  const vocabulary = Array.from({ length: 8000 }, (_, i) => {
    let w = ''
    let n = i + 7
    while (n > 0) {
      w += SYLLABLES[n % SYLLABLES.length] ?? ''
      n = Math.floor(n / SYLLABLES.length)
    }
    return w
  })
  const people = Array.from(
    { length: 400 },
    (_, i) => `${vocabulary[i * 3]}.${vocabulary[i * 5 + 1]}`,
  )
  // Zipf: word k is drawn with probability ~ 1/(k+1).
  const harmonic = vocabulary.reduce((sum, _, k) => sum + 1 / (k + 1), 0)
  const cdf: number[] = []
  let acc = 0
  for (let k = 0; k < vocabulary.length; k++) cdf.push((acc += 1 / (k + 1) / harmonic))
  const word = (r: () => number) => {
    const x = r()
    let lo = 0
    let hi = cdf.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((cdf[mid] ?? 1) < x) lo = mid + 1
      else hi = mid
    }
    return vocabulary[lo] ?? 'x'
  }
  const start = Date.UTC(2023, 0, 1)
  const span = 3 * 365 * 24 * 3600 * 1000

  return {
    vocabulary,
    people,
    message(i: number): Buffer {
      const r = prng(seed * 1_000_003 + i)
      const words = (n: number) => Array.from({ length: n }, () => word(r)).join(' ')
      const from = people[Math.floor(r() * people.length)] ?? 'x'
      const to = people[Math.floor(r() * people.length)] ?? 'y'
      const date = new Date(start + Math.floor((i / 100_000) * span + r() * 86_400_000))
      const reply = i > 10 && r() < 0.3 ? Math.floor(r() * i) : -1
      const subject = reply >= 0 ? `Re: ${words(3)}` : words(3 + Math.floor(r() * 5))
      const paragraphs = Array.from({ length: 1 + Math.floor(r() * 4) }, () =>
        words(20 + Math.floor(r() * 80)),
      )
      const headers = [
        `From: ${cap(from)} <${from}@example.org>`,
        `To: ${cap(to)} <${to}@example.net>`,
        `Subject: ${subject}`,
        `Date: ${date.toUTCString()}`,
        `Message-ID: <m${i}@bench.example>`,
        ...(reply >= 0
          ? [`In-Reply-To: <m${reply}@bench.example>`, `References: <m${reply}@bench.example>`]
          : []),
        'MIME-Version: 1.0',
      ]
      const text = paragraphs.join('\r\n\r\n')
      const kind = r()
      if (kind < 0.05) {
        const attachment = Buffer.alloc(2000 + Math.floor(r() * 30_000), i % 251).toString('base64')
        return Buffer.from(
          [
            ...headers,
            'Content-Type: multipart/mixed; boundary="b"',
            '',
            '--b',
            'Content-Type: text/plain; charset=utf-8',
            '',
            text,
            '--b',
            `Content-Type: application/pdf; name="${word(r)}-${i}.pdf"`,
            `Content-Disposition: attachment; filename="${word(r)}-${i}.pdf"`,
            'Content-Transfer-Encoding: base64',
            '',
            attachment.replace(/.{76}/g, '$&\r\n'),
            '--b--',
            '',
          ].join('\r\n'),
        )
      }
      if (kind < 0.25) {
        const html = paragraphs.map((p) => `<p>${p}</p>`).join('')
        return Buffer.from(
          [
            ...headers,
            'Content-Type: multipart/alternative; boundary="a"',
            '',
            '--a',
            'Content-Type: text/plain; charset=utf-8',
            '',
            text,
            '--a',
            'Content-Type: text/html; charset=utf-8',
            '',
            `<html><body>${html}</body></html>`,
            '--a--',
            '',
          ].join('\r\n'),
        )
      }
      return Buffer.from(
        [...headers, 'Content-Type: text/plain; charset=utf-8', '', text, ''].join('\r\n'),
      )
    },
  }
}

function cap(name: string): string {
  return name
    .split('.')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join(' ')
}
