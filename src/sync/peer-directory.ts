import type { Mailbox } from '../mailbox/index.js'
import { openProfile, type Profile } from './profile.js'
import { stateNames } from './state-names.js'

/** What we know of a peer from its last hello. */
export interface PeerInfo extends Profile {
  /** The peer said it takes our mail without a stamp. */
  knowsUs: boolean
  seenAt: number
}

interface StoredPeer {
  profile: string
  knowsUs: boolean
  seenAt: number
}

/**
 * Peers' signed profiles and what they said of us, remembered in the mailbox state so that mail to a
 * peer met before can be sealed while it is offline. A newer profile replaces an older one; an older one
 * (a replayed hello) is ignored.
 */
export class PeerDirectory {
  private readonly cache = new Map<string, PeerInfo>()

  constructor(
    private readonly mailbox: Mailbox,
    private readonly now: () => number,
  ) {}

  async get(peer: string): Promise<PeerInfo | undefined> {
    const cached = this.cache.get(peer)
    if (cached) return cached
    const stored = (await this.mailbox.state.get(stateNames.peer(peer))) as StoredPeer | undefined
    if (!stored) return undefined
    const info = {
      ...openProfile(Buffer.from(stored.profile, 'base64')),
      knowsUs: stored.knowsUs,
      seenAt: stored.seenAt,
    }
    this.cache.set(peer, info)
    return info
  }

  /**
   * Records a verified hello; returns the peer's info as now known. An older profile than the one kept
   * (a replayed hello) does not replace it; `knowsUs` is what the peer says now. Nothing is written when
   * nothing changed, so repeated hellos cost no disk writes.
   */
  async update(peer: string, profileBytes: Buffer, knowsUs: boolean): Promise<PeerInfo> {
    const profile = openProfile(profileBytes)
    const known = await this.get(peer)
    const newer = !known || profile.issuedAt > known.issuedAt
    if (known && !newer && known.knowsUs === knowsUs) return known
    const chosen = newer ? profile : known
    const info: PeerInfo = { ...chosen, knowsUs, seenAt: this.now() }
    const stored: StoredPeer = {
      profile: (newer ? profileBytes : await this.storedProfile(peer)).toString('base64'),
      knowsUs,
      seenAt: info.seenAt,
    }
    await this.mailbox.commit({ state: [{ name: stateNames.peer(peer), value: stored }] })
    this.cache.set(peer, info)
    return info
  }

  /** The peer refused our unstamped mail: stamp what we send it until it says otherwise. */
  async setKnowsUs(peer: string, knowsUs: boolean): Promise<void> {
    const known = await this.get(peer)
    if (!known || known.knowsUs === knowsUs) return
    const stored: StoredPeer = {
      profile: (await this.storedProfile(peer)).toString('base64'),
      knowsUs,
      seenAt: known.seenAt,
    }
    await this.mailbox.commit({ state: [{ name: stateNames.peer(peer), value: stored }] })
    this.cache.set(peer, { ...known, knowsUs })
  }

  private async storedProfile(peer: string): Promise<Buffer> {
    const stored = (await this.mailbox.state.get(stateNames.peer(peer))) as StoredPeer
    return Buffer.from(stored.profile, 'base64')
  }
}
