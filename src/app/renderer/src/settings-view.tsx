import type { Backend } from './api-client.js'
import { QrCode } from './qr-code.js'
import {
  AliasesSection,
  MailAppsSection,
  RecoveryPhraseSection,
  RelaysSection,
  RemoteContentSection,
} from './settings-sections.js'

export type Theme = 'system' | 'light' | 'dark'

export interface SettingsViewProps {
  backend: Backend
  /** Senders whose remote content loads, and the way to change that. */
  remoteSenders: string[]
  onRemoteContent: (sender: string, allowed: boolean) => void
  address: string
  theme: Theme
  onTheme: (theme: Theme) => void
  notify: boolean
  onNotify: (on: boolean) => void
  onCopy: (text: string) => void
}

export const SHORTCUTS: [string, string][] = [
  ['j / k', 'Next / previous message'],
  ['r', 'Reply'],
  ['a', 'Reply all'],
  ['f', 'Forward'],
  ['c', 'New message'],
  ['/', 'Search'],
  ['e', 'Archive'],
  ['#', 'Move to Trash'],
  ['Esc', 'Close the message window'],
  ['Ctrl+Enter', 'Send'],
]

export function SettingsView(props: SettingsViewProps) {
  return (
    <section className="page" aria-labelledby="settings-title">
      <header className="page-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      <section className="card" aria-labelledby="account-title">
        <h2 id="account-title">Account</h2>
        <p className="muted">Your address: give it to people who should be able to write to you.</p>
        <div className="account-row">
          {props.address && (
            <QrCode text={props.address} label="QR code of your address" size={132} />
          )}
          <div className="account-text">
            <div className="address-box">
              <code data-testid="own-address">{props.address}</code>
              <button
                type="button"
                onClick={() => {
                  props.onCopy(props.address)
                }}
              >
                Copy
              </button>
            </div>
            <p className="muted small">
              Someone can scan the code to get your address. Your keys stay with the Peermail node
              on this computer: this window never sees them.
            </p>
          </div>
        </div>
      </section>
      <RecoveryPhraseSection backend={props.backend} />
      <RelaysSection backend={props.backend} />
      <AliasesSection backend={props.backend} />
      <MailAppsSection backend={props.backend} />
      <section className="card" aria-labelledby="theme-title">
        <h2 id="theme-title">Appearance</h2>
        <div role="radiogroup" aria-labelledby="theme-title" className="segmented">
          {(['system', 'light', 'dark'] as const).map((t) => (
            <label key={t} className={props.theme === t ? 'on' : ''}>
              <input
                type="radio"
                name="theme"
                value={t}
                checked={props.theme === t}
                onChange={() => {
                  props.onTheme(t)
                }}
              />
              {t === 'system' ? 'Follow system' : t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </div>
      </section>
      <section className="card" aria-labelledby="notify-title">
        <h2 id="notify-title">Notifications</h2>
        <label className="toggle">
          <input
            type="checkbox"
            checked={props.notify}
            onChange={(e) => {
              props.onNotify(e.target.checked)
            }}
          />
          Tell me when new mail arrives while this window is in the background
        </label>
      </section>
      <RemoteContentSection senders={props.remoteSenders} onRemoteContent={props.onRemoteContent} />
      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">Keyboard shortcuts</h2>
        <dl className="shortcuts">
          {SHORTCUTS.map(([key, what]) => (
            <div key={key}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </section>
    </section>
  )
}
