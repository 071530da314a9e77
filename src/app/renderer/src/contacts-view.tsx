import { useState } from 'react'
import type { ApiContact } from '../../ipc/api.js'
import { avatarHue, initialOf, shortAddress } from './format.js'
import { Avatar, Icon } from './icons.js'
import { QrCode } from './qr-code.js'

export interface ContactsViewProps {
  contacts: ApiContact[]
  onAdd: (address: string, petname: string | undefined) => Promise<boolean>
  onVerify: (contact: ApiContact) => void
  onBlock: (contact: ApiContact, blocked: boolean) => void
  onWrite: (contact: ApiContact) => void
}

/** Groups of five digits, three groups a line, as people read them aloud. */
export function SafetyNumber({ value }: { value: string }) {
  const groups = value.replace(/\s+/g, '').match(/.{1,5}/g) ?? []
  return (
    <code className="safety-number" aria-label={`Safety number ${groups.join(' ')}`}>
      {groups.map((g, i) => (
        <span key={i}>{g}</span>
      ))}
    </code>
  )
}

/**
 * The safety number as a QR code, shown on request: the other side scans it (or reads the digits) to
 * compare. It encodes only the 60 digits, which are no secret (both sides compute them).
 */
function SafetyQr({ contact }: { contact: ApiContact }) {
  const [open, setOpen] = useState(false)
  if (!contact.safetyNumber) return null
  const id = `qr-${contact.address}`
  return (
    <div className="safety-qr">
      <button
        type="button"
        className="link-button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => {
          setOpen(!open)
        }}
      >
        {open ? 'Hide QR code' : 'Show as QR code'}
      </button>
      {open && (
        <div id={id}>
          <QrCode
            text={contact.safetyNumber.replace(/\s+/g, '')}
            label={`QR code of the safety number with ${contact.petname ?? contact.address}`}
            size={144}
          />
        </div>
      )}
    </div>
  )
}

export function ContactsView(props: ContactsViewProps) {
  const [address, setAddress] = useState('')
  const [petname, setPetname] = useState('')
  const sorted = [...props.contacts].sort((a, b) =>
    (a.petname ?? a.address).localeCompare(b.petname ?? b.address),
  )
  return (
    <section className="page" aria-labelledby="contacts-title">
      <header className="page-header">
        <h1 id="contacts-title">Contacts</h1>
        <p className="muted">
          Compare safety numbers with a contact in person or on a call, then mark them verified.
        </p>
      </header>
      <form
        className="add-contact"
        aria-label="Add a contact"
        onSubmit={(e) => {
          e.preventDefault()
          void props
            .onAdd(address, petname.trim() === '' ? undefined : petname.trim())
            .then((ok) => {
              if (ok) {
                setAddress('')
                setPetname('')
              }
            })
        }}
      >
        <label className="field">
          <span>Address</span>
          <input
            value={address}
            placeholder="pm1…"
            onChange={(e) => {
              setAddress(e.target.value)
            }}
          />
        </label>
        <label className="field">
          <span>Name</span>
          <input
            value={petname}
            placeholder="Your name for them"
            onChange={(e) => {
              setPetname(e.target.value)
            }}
          />
        </label>
        <button type="submit" className="primary" disabled={address.trim() === ''}>
          <Icon name="plus" size={16} /> Add
        </button>
      </form>
      {sorted.length === 0 ? (
        <p className="muted">
          No contacts yet. Writing to someone, or accepting their request, adds them.
        </p>
      ) : (
        <ul className="contact-list" aria-label="Contacts">
          {sorted.map((c) => (
            <li
              key={c.address}
              className={`contact ${c.blocked ? 'blocked' : ''}`}
              data-address={c.address}
            >
              <Avatar name={initialOf(c.petname ?? c.address)} hue={avatarHue(c.address)} />
              <div className="contact-main">
                <div className="contact-name">
                  {c.petname ?? shortAddress(c.address)}
                  {c.verified && (
                    <span className="badge verified" title="Safety number verified">
                      <Icon name="verified" size={14} /> Verified
                    </span>
                  )}
                  {c.keyChanged && <span className="badge warn">Key changed</span>}
                  {c.blocked && <span className="badge danger">Blocked</span>}
                </div>
                <div className="contact-address" title={c.address}>
                  {c.address}
                </div>
                {c.safetyNumber && <SafetyNumber value={c.safetyNumber} />}
                <SafetyQr contact={c} />
              </div>
              <div className="contact-actions">
                <button
                  type="button"
                  onClick={() => {
                    props.onWrite(c)
                  }}
                >
                  <Icon name="compose" size={16} /> Write
                </button>
                {!c.verified && c.safetyNumber && (
                  <button
                    type="button"
                    onClick={() => {
                      props.onVerify(c)
                    }}
                  >
                    <Icon name="shield" size={16} /> Verify…
                  </button>
                )}
                <button
                  type="button"
                  className={c.blocked ? '' : 'danger-text'}
                  onClick={() => {
                    props.onBlock(c, !c.blocked)
                  }}
                >
                  <Icon name="block" size={16} /> {c.blocked ? 'Unblock' : 'Block'}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
