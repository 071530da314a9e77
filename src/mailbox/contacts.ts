import type Hyperbee from 'hyperbee'
import { MailboxError } from './errors.js'
import { isSafeName, key, under } from './index-keys.js'
import type { LiveReads } from './live-reads.js'

/** Someone the user writes with. */
export interface Contact {
  /** Peermail address (`pm1…`) or ordinary email address, lower-cased. */
  address: string
  petname?: string
  /** Hex identity key last accepted for this contact. */
  identityKey?: string
  /** True once the user compared safety numbers for `identityKey`. */
  verified: boolean
  blocked: boolean
  /** A different key was seen and not yet accepted: never applied silently. */
  keyChange?: { previousKey: string; newKey: string; seenAt: number }
  createdAt: number
  updatedAt: number
}

/** What {@link Contacts.observeKey} found. */
export type KeyObservation = 'new' | 'same' | 'changed'

const HEX_KEY = /^[0-9a-f]{64}$/

/**
 * The address book, in the mailbox index. Key continuity is enforced here: the first key seen for a
 * contact is remembered; a different one later is recorded as a pending change and the contact loses its
 * verified badge until the user accepts it.
 */
export class Contacts {
  constructor(
    private readonly bee: Hyperbee,
    private readonly exclusive: <T>(fn: () => Promise<T>) => Promise<T>,
    private readonly assertOpen: () => void,
    private readonly now: () => number,
    /** Lookups without a snapshot session each: one runs for every mail sent and every batch received. */
    private readonly reads: LiveReads,
  ) {}

  /** Every contact, by address. */
  async list(): Promise<Contact[]> {
    this.assertOpen()
    const out: Contact[] = []
    for await (const entry of this.bee.createReadStream(under('con')))
      out.push(entry.value as Contact)
    return out
  }

  /** One contact, or undefined. */
  async get(address: string): Promise<Contact | undefined> {
    this.assertOpen()
    const k = key('con', normalize(address))
    return this.reads.read(async (index) => (await index.get(k))?.value as Contact | undefined)
  }

  /** Adds a contact or updates its petname. */
  async put(address: string, fields: { petname?: string } = {}): Promise<Contact> {
    if (
      fields.petname !== undefined &&
      (!isSafeName(fields.petname) || fields.petname.length > 100)
    ) {
      throw MailboxError.INVALID_ARGUMENT(
        'petname must be 1-100 characters without control characters',
      )
    }
    return this.change(address, (contact) => {
      if (fields.petname !== undefined) contact.petname = fields.petname
    })
  }

  /** Records the identity key seen for an address and says whether it is new, the same, or changed. */
  async observeKey(address: string, identityKey: string): Promise<KeyObservation> {
    if (!HEX_KEY.test(identityKey))
      throw MailboxError.INVALID_ARGUMENT('identity key must be 64 hex digits')
    let result: KeyObservation = 'same'
    await this.change(address, (contact) => {
      if (contact.identityKey === undefined) {
        contact.identityKey = identityKey
        result = 'new'
      } else if (contact.identityKey !== identityKey) {
        contact.keyChange = {
          previousKey: contact.identityKey,
          newKey: identityKey,
          seenAt: this.now(),
        }
        contact.verified = false
        result = 'changed'
      }
    })
    return result
  }

  /** Accepts a pending key change (after the user has seen the warning). The contact stays unverified. */
  async acceptKeyChange(address: string): Promise<Contact> {
    return this.change(
      address,
      (contact) => {
        if (!contact.keyChange) throw MailboxError.INVALID_ARGUMENT('no pending key change')
        contact.identityKey = contact.keyChange.newKey
        delete contact.keyChange
        contact.verified = false
      },
      false,
    )
  }

  /** Marks the contact verified for `identityKey`; refuses if that is not the key on record. */
  async verify(address: string, identityKey: string): Promise<Contact> {
    return this.change(
      address,
      (contact) => {
        if (contact.identityKey !== identityKey || contact.keyChange) {
          throw MailboxError.CONTACT_KEY_CHANGED(contact.address)
        }
        contact.verified = true
      },
      false,
    )
  }

  /** Blocks or unblocks a contact. */
  async block(address: string, blocked = true): Promise<Contact> {
    return this.change(address, (contact) => {
      contact.blocked = blocked
    })
  }

  /** Forgets a contact. */
  async remove(address: string): Promise<void> {
    this.assertOpen()
    const k = key('con', normalize(address))
    await this.exclusive(() => this.bee.del(k))
  }

  private async change(address: string, fn: (c: Contact) => void, create = true): Promise<Contact> {
    this.assertOpen()
    const normalized = normalize(address)
    return this.exclusive(async () => {
      const k = key('con', normalized)
      const existing = (await this.bee.get(k))?.value as Contact | undefined
      if (!existing && !create) throw MailboxError.INVALID_ARGUMENT(`no contact ${normalized}`)
      const now = this.now()
      const contact: Contact = existing
        ? structuredClone(existing)
        : { address: normalized, verified: false, blocked: false, createdAt: now, updatedAt: now }
      fn(contact)
      contact.updatedAt = now
      await this.bee.put(k, contact)
      return contact
    })
  }
}

function normalize(address: string): string {
  const a = typeof address === 'string' ? address.trim().toLowerCase() : ''
  if (!isSafeName(a) || a.length > 320) throw MailboxError.INVALID_ARGUMENT('contact address')
  return a
}
