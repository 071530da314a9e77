/**
 * Names of the delivery state kept in the mailbox's state space (docs/architecture.md, "Delivery state").
 * Sequence numbers are 16 hex digits so that name order is numeric order.
 */
export const stateNames = {
  /** What a peer last told us about itself: its signed profile and whether it takes our mail unstamped. */
  peer: (peer: string) => `peer/${peer}`,
  /** An outbound message waiting to be sealed into the pair log to `peer`. */
  queued: (peer: string, id: string) => `out/q/${peer}/${id}`,
  queuedPrefix: (peer: string) => `out/q/${peer}/`,
  queuedAll: 'out/q/',
  /** The key of our pair log to `peer`, once it exists. */
  outLog: (peer: string) => `out/log/${peer}`,
  outLogAll: 'out/log/',
  /** A message sealed into our log, by the last block it occupies, until its receipt arrives. */
  sent: (log: string, seq: number) => `out/sent/${log}/${seqName(seq)}`,
  sentPrefix: (log: string) => `out/sent/${log}/`,
  sentAll: 'out/sent/',
  /** How far a relay holds our log (what has been marked `relayed`). */
  held: (log: string) => `out/held/${log}`,
  /** How far the recipient has acknowledged our log. */
  acked: (log: string) => `out/acked/${log}`,
  /** Our cursor in someone's log to us: every block below `next` is handled. */
  inLog: (log: string) => `in/log/${log}`,
  inLogAll: 'in/log/',
  /** A message we refused, until its sender has heard why. */
  rejected: (log: string, seq: number) => `in/rej/${log}/${seqName(seq)}`,
  rejectedPrefix: (log: string) => `in/rej/${log}/`,
}

export function seqName(seq: number): string {
  return seq.toString(16).padStart(16, '0')
}

/** The sequence number at the end of a name made by {@link seqName}. */
export function seqOf(name: string): number {
  return parseInt(name.slice(name.lastIndexOf('/') + 1), 16)
}

/** The part of `name` after `prefix` up to the next slash. */
export function segmentAfter(name: string, prefix: string): string {
  const rest = name.slice(prefix.length)
  const slash = rest.indexOf('/')
  return slash === -1 ? rest : rest.slice(0, slash)
}
