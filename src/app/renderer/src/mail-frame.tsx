import { useEffect, useRef, useState } from 'react'

export interface MailFrameProps {
  /** A document from sanitizeMail(): already inert; the frame is the second line of defence. */
  html: string
  title: string
  /** A link was activated: the app asks the user before anything opens. */
  onLink: (href: string, text: string) => void
}

/**
 * Shows sanitised mail in a sandboxed frame: no `allow-scripts` (nothing in it can run), no forms, no
 * popups, no top navigation. `allow-same-origin` lets the app (not the mail) size the frame and catch
 * clicks on links, which the sanitiser turned into inert `data-href` anchors.
 */
export function MailFrame({ html, title, onLink }: MailFrameProps) {
  const ref = useRef<HTMLIFrameElement>(null)
  const [height, setHeight] = useState(200)

  useEffect(() => {
    const frame = ref.current
    if (!frame) return
    let observer: ResizeObserver | undefined
    const attach = () => {
      const doc = frame.contentDocument
      if (!doc) return
      const measure = () => {
        setHeight(Math.min(Math.max(doc.documentElement.scrollHeight, 60), 200_000))
      }
      measure()
      observer?.disconnect()
      observer = new ResizeObserver(measure)
      observer.observe(doc.documentElement)
      const activate = (event: Event) => {
        const target = event.target as Element | null
        const link = target?.closest('[data-href]')
        if (!link) return
        event.preventDefault()
        const href = link.getAttribute('data-href')
        if (href) onLink(href, link.textContent.trim())
      }
      doc.addEventListener('click', activate)
      doc.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') activate(event)
      })
    }
    frame.addEventListener('load', attach)
    return () => {
      frame.removeEventListener('load', attach)
      observer?.disconnect()
    }
  }, [html, onLink])

  return (
    <iframe
      ref={ref}
      className="mail-frame"
      title={title}
      sandbox="allow-same-origin"
      referrerPolicy="no-referrer"
      srcDoc={html}
      style={{ height }}
    />
  )
}
