import { readFileSync } from 'node:fs'

const STATUS = `Peermail is being built in the open. What works today:
  - crypto core: recovery phrases, key derivation, checksummed addresses, sealed envelopes,
    passphrase vault (Argon2id), safety numbers, proof-of-work stamps  (src/crypto, npm test)
Coming next, in order: the encrypted mailbox, peer-to-peer delivery over Hyperswarm, relays and
forward secrecy, the command line and demo, the inbox UI, the SMTP bridge.
Design: docs/architecture.md · Wire formats and key derivations: docs/protocol.md`

/** Entry point of the `peermail` command; returns the process exit status. */
export function main(argv: string[]): Promise<number> {
  const [command] = argv
  if (command === '--version' || command === '-v') {
    console.log(readVersion())
    return Promise.resolve(0)
  }
  if (command === undefined || command === 'start' || command === '--help' || command === '-h') {
    console.log(`peermail ${readVersion()}\n\n${STATUS}`)
    return Promise.resolve(0)
  }
  console.error(`peermail: unknown command "${command}" (try: peermail --help)`)
  return Promise.resolve(2)
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}
