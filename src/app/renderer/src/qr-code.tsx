import { create } from 'qrcode'
import { useMemo } from 'react'

/**
 * A QR code drawn as SVG rectangles by React (no markup string, no canvas, nothing fetched): the matrix
 * comes from the `qrcode` package, the drawing is ours.
 */
export function QrCode({
  text,
  label,
  size = 168,
}: {
  text: string
  label: string
  size?: number
}) {
  const { count, path } = useMemo(() => {
    const modules = create(text, { errorCorrectionLevel: 'M' }).modules
    let d = ''
    for (let y = 0; y < modules.size; y++)
      for (let x = 0; x < modules.size; x++)
        if (modules.data[y * modules.size + x]) d += `M${x + 2} ${y + 2}h1v1h-1z`
    return { count: modules.size + 4, path: d }
  }, [text])
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${count} ${count}`}
      shapeRendering="crispEdges"
    >
      <rect width={count} height={count} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  )
}
