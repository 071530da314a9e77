/**
 * `npm run bench` runs every benchmark; `npm run bench -- NAME` runs one. Each prints its figures as one
 * JSON object on its last line, beside the raw layer beneath it measured in the same run.
 */
const benches: Record<string, () => Promise<Record<string, unknown>>> = {
  crypto: async () => (await import('./crypto.js')).run(),
  mailbox: async () => (await import('./mailbox.js')).run(),
  delivery: async () => (await import('./delivery.js')).run(),
  relay: async () => (await import('./relay.js')).run(),
  bridge: async () => (await import('./bridge.js')).run(),
}

const names = process.argv.slice(2)
const unknown = names.filter((n) => !(n in benches))
if (unknown.length > 0) {
  console.error(
    `unknown benchmark: ${unknown.join(', ')} (available: ${Object.keys(benches).join(', ')})`,
  )
  process.exit(2)
}
const results: Record<string, unknown> = {}
for (const name of names.length > 0 ? names : Object.keys(benches)) {
  const bench = benches[name]
  if (bench) results[name] = await bench()
}
console.log(JSON.stringify(names.length === 1 ? results[names[0]!] : results))
