/**
 * A placeholder at `/` until the inbox UI lands: it says so and shows the account address, fetched through
 * the API with the token from the URL fragment (a fragment never reaches the server or a Referer). The
 * script is a separate file because the CSP allows no inline script.
 */
export const PLACEHOLDER_HTML = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Peermail</title>
<h1>Peermail</h1>
<p>The inbox UI is coming. This server already answers the local API.</p>
<p>Account: <code id="address">…</code></p>
<script src="/placeholder.js"></script>
</html>
`

export const PLACEHOLDER_JS = `'use strict'
const token = new URLSearchParams(location.hash.slice(1)).get('token') || ''
const out = document.getElementById('address')
fetch('/api/whoami', {
  method: 'POST',
  headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
  body: '{}',
})
  .then((res) => res.json())
  .then((result) => {
    out.textContent = result.ok ? result.value.address : 'unavailable (' + result.error.code + ')'
  })
  .catch(() => {
    out.textContent = 'unavailable'
  })
`

/** Nothing but our own script and our own API; no framing, no forms, no base rewriting. */
export const PLACEHOLDER_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
