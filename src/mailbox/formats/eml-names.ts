/**
 * File names for exported messages: `000042-Quarterly-report.eml`. The number keeps the export order and
 * makes names unique within one export; the text comes from a subject or id the caller passes, which may be
 * hostile (`../../etc/passwd`, slashes, NUL, bidi overrides, 10 000 characters), so only letters, marks,
 * digits and a few punctuation marks survive, runs of anything else become one `-`, and the text is cut to
 * {@link MAX_NAME_TEXT_BYTES} bytes of UTF-8. Dots are dropped, so no name is hidden or a path step.
 */

/** File systems allow 255 bytes per name; this leaves room for the number, a suffix and `.eml`. */
export const MAX_NAME_TEXT_BYTES = 100

/** `000042-Quarterly-report` for `index` 41 and name `Quarterly report`: the name without suffix. */
export function emlBaseName(index: number, name: string | undefined): string {
  const number = String(index + 1).padStart(6, '0')
  const text = sanitize(name ?? '')
  return text === '' ? number : `${number}-${text}`
}

/** The name to try on attempt `attempt` (0, 1, …) when earlier ones exist: `base.eml`, `base-2.eml`, … */
export function emlFileName(base: string, attempt: number): string {
  return attempt === 0 ? `${base}.eml` : `${base}-${attempt + 1}.eml`
}

function sanitize(name: string): string {
  // Only the start of a name can survive the cut; looking further would let a huge subject cost time.
  const cleaned = name
    .slice(0, 4 * MAX_NAME_TEXT_BYTES)
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}_()+,@=]+/gu, '-')
    .replace(/^[-\p{M}]+|-+$/gu, '')
  let bytes = 0
  let out = ''
  for (const char of cleaned) {
    bytes += Buffer.byteLength(char)
    if (bytes > MAX_NAME_TEXT_BYTES) break
    out += char
  }
  return out.replace(/-+$/, '')
}
