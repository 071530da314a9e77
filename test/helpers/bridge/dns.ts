/** One name's records in a test zone, or the error every question about it gets (`ESERVFAIL`…). */
export type ZoneEntry =
  | { MX?: { exchange: string; priority: number }[]; A?: string[]; AAAA?: string[] }
  | { error: string }

/**
 * A resolver shaped like `dns.promises.resolve` that answers from `zone` as a real server would: a name
 * not in the zone is NXDOMAIN (ENOTFOUND), a name without records of the type asked is ENODATA.
 * `zone` may be changed while a test runs.
 */
export function zoneResolver(zone: Record<string, ZoneEntry>) {
  return (name: string, rrtype: string): Promise<unknown> => {
    const entry = zone[name.toLowerCase()]
    const fail = (code: string) =>
      Promise.reject(Object.assign(new Error(`${code} ${rrtype} ${name}`), { code }))
    if (!entry) return fail('ENOTFOUND')
    if ('error' in entry) return fail(entry.error)
    const rows = (entry as Record<string, unknown[] | undefined>)[rrtype]
    return rows && rows.length > 0 ? Promise.resolve(rows) : fail('ENODATA')
  }
}

/** A free loopback port, found by listening on it for a moment (nothing listens there afterwards). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve()
    })
  })
  return port
}
