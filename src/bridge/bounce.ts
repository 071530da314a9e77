import { composeDeliveryReport, type Failure } from './delivery-report.js'

export type { Failure } from './delivery-report.js'

/**
 * The non-delivery report put in the account's inbox when mail it sent through the bridge failed for
 * good: who, why (the remote server's reply), and the original headers so the user knows which mail.
 * It is a delivery report (delivery-report.ts) with failures only, so with the submission's envelope id
 * the account also marks those recipients failed. The original body is not repeated (it is in Sent).
 */
export function composeBounce(
  domain: string,
  alias: string,
  original: Buffer,
  failures: Failure[],
  envid?: string,
): Promise<Buffer> {
  return composeDeliveryReport({ domain, alias, original, envid, delivered: [], failures })
}
