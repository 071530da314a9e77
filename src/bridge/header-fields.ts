/**
 * The header block of a message as fields: each field's name and its full text (folded lines
 * included, CRLFs kept), plus the body after the blank line, untouched. Enough to drop or replace a
 * field without re-encoding anything else.
 */
export interface HeaderSplit {
  fields: { name: string; text: string }[]
  body: Buffer
}

export function splitHeader(raw: Buffer): HeaderSplit {
  const end = raw.indexOf('\r\n\r\n')
  const headerEnd = end === -1 ? raw.byteLength : end + 2
  const fields: { name: string; text: string }[] = []
  for (const line of raw
    .subarray(0, headerEnd)
    .toString('latin1')
    .split(/(?<=\r\n)/)) {
    const last = fields[fields.length - 1]
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) last.text += line
    else if (line !== '')
      fields.push({
        name: line
          .slice(0, Math.max(0, line.indexOf(':')))
          .trim()
          .toLowerCase(),
        text: line,
      })
  }
  return { fields, body: raw.subarray(headerEnd) }
}

export function joinHeader(split: HeaderSplit): Buffer {
  return Buffer.concat([
    Buffer.from(split.fields.map((f) => f.text).join(''), 'latin1'),
    split.body,
  ])
}

/** The unfolded value of the first field called `name`, or undefined. */
export function headerValue(raw: Buffer, name: string): string | undefined {
  const field = splitHeader(raw).fields.find((f) => f.name === name.toLowerCase())
  if (!field) return undefined
  return field.text
    .slice(field.text.indexOf(':') + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .trim()
}
