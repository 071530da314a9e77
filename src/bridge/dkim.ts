import { dkimSign } from 'mailauth'
import { BridgeError } from './errors.js'

/** The bridge's DKIM key for its domain: publish `<selector>._domainkey.<domain>` TXT with its public half. */
export interface DkimOptions {
  selector: string
  /** PEM, RSA (2048 bits or more in production) or Ed25519. */
  privateKey: string | Buffer
}

/** Signs `raw` for `domain` and returns it with the DKIM-Signature field prepended. */
export async function dkimSigned(raw: Buffer, domain: string, dkim: DkimOptions): Promise<Buffer> {
  const key = { signingDomain: domain, selector: dkim.selector, privateKey: dkim.privateKey }
  // mailauth reads the keys from `signatureData`; the top-level fields alone sign nothing.
  const result = await dkimSign(raw, {
    ...key,
    canonicalization: 'relaxed/relaxed',
    signatureData: [key],
  })
  // mailauth lists per-key failures in more than one shape; the key is what went wrong either way.
  if (result.errors.length > 0) throw BridgeError.INVALID_OPTIONS('dkim: the key could not sign')
  const signatures = result.signatures.replace(/\r?\n/g, '\r\n')
  if (!/^DKIM-Signature:/i.test(signatures))
    throw BridgeError.INVALID_OPTIONS('dkim: no signature made')
  return Buffer.concat([Buffer.from(signatures), raw])
}

/** Checks the DKIM settings once, at start, so a bad key is a clear error and not a failed delivery. */
export async function checkDkim(domain: string, dkim: DkimOptions): Promise<void> {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,62})$/i.test(dkim.selector))
    throw BridgeError.INVALID_OPTIONS('dkim.selector')
  await dkimSigned(Buffer.from('From: <x@' + domain + '>\r\n\r\ncheck\r\n'), domain, dkim)
}
