/**
 * Hostile HTML mail made inert before it is shown. Three layers, each enough on its own for what it covers:
 * 1. DOMPurify, HTML profile only (no SVG, no MathML), with every tag that fetches, submits or navigates
 *    removed and every URL-bearing attribute checked here: only `data:` images (and `cid:` parts, turned
 *    into `data:` by the caller) survive; links lose their `href` (kept aside to show and confirm).
 * 2. CSS: `<style>` text and `style` attributes lose `@import` and every `url(…)` that is not `data:`.
 * 3. The frame (mail-frame.tsx): sandboxed without scripts, and a `default-src 'none'` policy of its own,
 *    so anything the first two missed still cannot load or run.
 * What was removed is counted, so the reader can be told remote content was blocked.
 */
import DOMPurify from 'dompurify'

export interface SanitizedMail {
  /** A whole document for the frame's srcdoc. */
  html: string
  /** Remote images, stylesheets and the like that were dropped. */
  blockedRemote: number
  /** Remote images kept because the sender is allowed (0 unless `remoteImages`). */
  loadedRemote: number
}

/** Content-ID (without brackets) → data: URL of the inline part. */
export type InlineParts = Map<string, string>

/** The frame's own policy: nothing loads but inline styles and embedded images. */
export const FRAME_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; base-uri 'none'"
/**
 * The policy for mail from a sender the user allowed remote content for: remote images (and CSS
 * backgrounds) may load, nothing else does (no scripts, fonts, stylesheets, frames or forms).
 */
export const FRAME_CSP_REMOTE_IMAGES =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:; font-src data:; form-action 'none'; base-uri 'none'"

export interface SanitizeOptions {
  /** Keep `http(s):` image sources and CSS `url()`s (the user allowed this sender); default false. */
  remoteImages?: boolean
}

const FORBID_TAGS = [
  'form',
  'input',
  'button',
  'select',
  'option',
  'textarea',
  'meta',
  'link',
  'base',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'audio',
  'video',
  'source',
  'track',
  'picture',
  'portal',
  'script',
  'noscript',
  'template',
  'svg',
  'math',
]
const FORBID_ATTR = [
  'srcset',
  'imagesrcset',
  'background',
  'poster',
  'action',
  'formaction',
  'ping',
  'lowsrc',
  'dynsrc',
  'longdesc',
  'usemap',
  'manifest',
  'xmlns',
  'target',
]
const URL_ATTRS = ['src', 'href', 'xlink:href', 'cite', 'data']
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpe?g|webp|bmp);base64,[a-z0-9+/=\s]*$/i
// A remote URL kept for an allowed sender: no quotes, parentheses, spaces or backslashes, so it cannot
// end the CSS url() or the attribute it sits in.
const REMOTE_URL = /^https?:\/\/[^\s"'()\\<>]+$/i

/**
 * Strips `@import` and non-data `url()` from CSS text; counts what it removed. With `onRemote`, plain
 * `http(s)` urls are kept (and counted there) instead: the frame's policy then lets them load as images.
 */
export function cleanCss(css: string, onBlocked: () => void, onRemote?: () => void): string {
  // Escapes would let `u\72l(` slip past the pattern below, so CSS escapes are resolved away first.
  let text = css.replace(/\\([0-9a-f]{1,6})\s?/gi, (_m, hex: string) => {
    const code = parseInt(hex, 16)
    return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ''
  })
  text = text.replace(/\\(.)/g, '$1').replace(/\/\*[\s\S]*?\*\//g, '')
  text = text.replace(/@import[^;]*;?/gi, () => {
    onBlocked()
    return ''
  })
  text = text.replace(/url\s*\(\s*(['"]?)(.*?)\1\s*\)/gi, (match, _q, url: string) => {
    if (SAFE_DATA_IMAGE.test(url.trim())) return match
    if (onRemote && REMOTE_URL.test(url.trim())) {
      onRemote()
      return `url("${url.trim()}")`
    }
    onBlocked()
    return 'none'
  })
  // Anything still shaped like a fetch (image-set, a stray url, expression()) goes entirely.
  text = text.replace(/(image-set|expression|-moz-binding|behavior)\s*\(/gi, () => {
    onBlocked()
    return 'blocked('
  })
  const kept = onRemote
    ? /url\s*\((?!\s*['"]?(data:image\/|https?:))/gi
    : /url\s*\((?!\s*['"]?data:image\/)/gi
  return text.replace(kept, 'blocked(')
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * Sanitises `dirty` (the sender's HTML) into a complete document for a sandboxed frame. `cid:` images
 * become the matching inline part's data URL; any other image source is dropped and counted.
 */
export function sanitizeMail(
  dirty: string,
  parts: InlineParts = new Map(),
  options: SanitizeOptions = {},
): SanitizedMail {
  let blockedRemote = 0
  let loadedRemote = 0
  const blocked = () => {
    blockedRemote++
  }
  const remote = options.remoteImages
    ? () => {
        loadedRemote++
      }
    : undefined
  const purify = DOMPurify()
  purify.addHook('uponSanitizeElement', (node, data) => {
    if (data.tagName === 'style' && node.textContent)
      node.textContent = cleanCss(node.textContent, blocked, remote)
    if (['img', 'link', 'video', 'audio', 'source', 'picture', 'iframe'].includes(data.tagName)) {
      const el = node as Element
      if (data.tagName !== 'img' && (el.getAttribute('src') || el.getAttribute('href'))) blocked()
    }
  })
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (data.attrName === 'style') data.attrValue = cleanCss(data.attrValue, blocked, remote)
    if (data.attrName === 'srcset' || data.attrName === 'background') blocked()
  })
  purify.addHook('afterSanitizeAttributes', (node) => {
    const el = node
    for (const name of URL_ATTRS) {
      const value = el.getAttribute(name)
      if (value === null) continue
      if (el.tagName === 'A' && name === 'href') {
        el.removeAttribute('href')
        const target = value.trim()
        if (/^(https?:|mailto:)/i.test(target)) {
          el.setAttribute('data-href', target)
          el.setAttribute('title', target)
          el.setAttribute('role', 'link')
          el.setAttribute('tabindex', '0')
        } else {
          // javascript:, data:, relative links and the rest go nowhere.
          el.setAttribute('data-dead-link', '')
        }
        continue
      }
      if (el.tagName === 'IMG' && name === 'src') {
        const src = value.trim()
        const cid = /^cid:(.+)$/i.exec(src)?.[1]
        const inline = cid === undefined ? undefined : parts.get(cid.replace(/^<|>$/g, ''))
        if (inline) el.setAttribute('src', inline)
        else if (SAFE_DATA_IMAGE.test(src)) continue
        else if (remote && REMOTE_URL.test(src)) {
          // Allowed sender: the image loads, without telling its server which page asked.
          el.setAttribute('referrerpolicy', 'no-referrer')
          remote()
        } else {
          el.removeAttribute('src')
          el.setAttribute('data-blocked', '')
          el.setAttribute('alt', el.getAttribute('alt') ?? '')
          if (cid === undefined) blocked()
        }
        continue
      }
      el.removeAttribute(name)
    }
  })
  const body = purify.sanitize(dirty, {
    USE_PROFILES: { html: true },
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    WHOLE_DOCUMENT: false,
    FORCE_BODY: true,
    ADD_TAGS: ['style'],
  })
  const csp = options.remoteImages ? FRAME_CSP_REMOTE_IMAGES : FRAME_CSP
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}"><meta name="referrer" content="no-referrer"><style>${FRAME_STYLE}</style></head><body>${body}</body></html>`
  return { html, blockedRemote, loadedRemote }
}

/** The frame's base style: readable defaults that the mail's own CSS may override. */
const FRAME_STYLE = `
html{color-scheme:light}
body{margin:0;padding:20px 24px;font:15px/1.55 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d1d1f;background:#fff;overflow-wrap:anywhere}
img{max-width:100%;height:auto}
img[data-blocked]{display:inline-block;min-width:16px;min-height:16px;background:repeating-linear-gradient(45deg,#eee,#eee 4px,#f7f7f7 4px,#f7f7f7 8px)}
a[data-href]{color:#0a64d6;text-decoration:underline;cursor:pointer}
a[data-dead-link]{color:inherit;text-decoration:line-through}
blockquote{margin:0 0 0 4px;padding-left:12px;border-left:3px solid #c7c7cc;color:#555}
pre{white-space:pre-wrap}
`
