/**
 * The Settings sections that talk to the node: relays, bridge aliases, the recovery phrase and the mail
 * apps' SMTP password. Each keeps
 * its own state and shows its errors next to its form (role="alert"), where the user is looking.
 */
import { useCallback, useEffect, useState } from 'react'
import type { ApiAlias, ApiCallName, ApiCalls, ApiSmtpSubmission } from '../../ipc/api.js'
import type { Backend } from './api-client.js'
import { shortAddress } from './format.js'
import { Icon } from './icons.js'

type Outcome<N extends ApiCallName> =
  { ok: true; value: ApiCalls[N]['response'] } | { ok: false; message: string }

/** One call, its failure as a message for the form rather than a toast. */
function useCall(backend: Backend) {
  return useCallback(
    async <N extends ApiCallName>(name: N, body: ApiCalls[N]['request']): Promise<Outcome<N>> => {
      const result = await backend.call(name, body)
      return result.ok
        ? { ok: true, value: result.value }
        : { ok: false, message: result.error.message }
    },
    [backend],
  )
}

function FormError({ message, id }: { message: string | undefined; id: string }) {
  return message === undefined ? null : (
    <p className="form-error" role="alert" id={id}>
      {message}
    </p>
  )
}

/**
 * Asks for the account's passphrase before a guarded call (the recovery phrase, a new app password). The
 * field is cleared after each try, right or wrong, so the passphrase does not linger in the page.
 */
function PassphraseForm(props: {
  label: string
  submit: string
  /** The id of the error shown for this form, while there is one. */
  errorId: string | undefined
  onPassphrase: (passphrase: string) => Promise<void>
}) {
  const [passphrase, setPassphrase] = useState('')
  const [busy, setBusy] = useState(false)
  return (
    <form
      className="setting-form"
      aria-label={props.label}
      onSubmit={(e) => {
        e.preventDefault()
        setBusy(true)
        void props.onPassphrase(passphrase).finally(() => {
          setBusy(false)
          setPassphrase('')
        })
      }}
    >
      <label className="field">
        <span>Passphrase</span>
        <input
          type="password"
          autoComplete="current-password"
          value={passphrase}
          aria-describedby={props.errorId}
          onChange={(e) => {
            setPassphrase(e.target.value)
          }}
        />
      </label>
      <button type="submit" className="primary" disabled={busy || passphrase === ''}>
        {busy ? 'Checking…' : props.submit}
      </button>
    </form>
  )
}

export function RelaysSection({ backend }: { backend: Backend }) {
  const call = useCall(backend)
  const [relays, setRelays] = useState<string[]>([])
  const [max, setMax] = useState(0)
  const [address, setAddress] = useState('')
  const [error, setError] = useState<string>()
  const apply = (got: Outcome<'relays'>) => {
    if (!got.ok) {
      setError(got.message)
      return false
    }
    setError(undefined)
    setRelays(got.value.relays)
    setMax(got.value.max)
    return true
  }
  useEffect(() => {
    void call('relays', {}).then(apply)
  }, [call])
  return (
    <section className="card" aria-labelledby="relays-title">
      <h2 id="relays-title">
        <Icon name="link" size={16} /> Relays
      </h2>
      <p className="muted">
        Relays keep your mail, encrypted, while this computer is offline. Changes take effect the
        next time Peermail goes online.
      </p>
      {relays.length === 0 ? (
        <p className="muted small">No relays: mail reaches you only while you are online.</p>
      ) : (
        <ul className="setting-list" aria-label="Relays">
          {relays.map((relay) => (
            <li key={relay}>
              <code title={relay}>{relay}</code>
              <button
                type="button"
                className="danger-text"
                aria-label={`Remove relay ${shortAddress(relay)}`}
                onClick={() => {
                  void call('removeRelay', { address: relay }).then(apply)
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="setting-form"
        aria-label="Add a relay"
        onSubmit={(e) => {
          e.preventDefault()
          void call('addRelay', { address: address.trim() }).then((got) => {
            if (apply(got)) setAddress('')
          })
        }}
      >
        <label className="field">
          <span>Relay address</span>
          <input
            value={address}
            placeholder="pm1…"
            aria-describedby={error ? 'relays-error' : undefined}
            onChange={(e) => {
              setAddress(e.target.value)
            }}
          />
        </label>
        <button
          type="submit"
          className="primary"
          disabled={address.trim() === '' || (max > 0 && relays.length >= max)}
        >
          <Icon name="plus" size={16} /> Add relay
        </button>
      </form>
      <FormError message={error} id="relays-error" />
    </section>
  )
}

export function AliasesSection({ backend }: { backend: Backend }) {
  const call = useCall(backend)
  const [aliases, setAliases] = useState<ApiAlias[]>([])
  const [alias, setAlias] = useState('')
  const [bridge, setBridge] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const apply = (got: Outcome<'aliases'>) => {
    setBusy(false)
    if (!got.ok) {
      setError(got.message)
      return false
    }
    setError(undefined)
    setAliases(got.value)
    return true
  }
  useEffect(() => {
    void call('aliases', {}).then(apply)
  }, [call])
  return (
    <section className="card" aria-labelledby="aliases-title">
      <h2 id="aliases-title">
        <Icon name="sent" size={16} /> Ordinary email addresses
      </h2>
      <p className="muted">
        A bridge gives you an ordinary address (name@domain): mail sent to it arrives here, and you
        can write to ordinary addresses through it.
      </p>
      {aliases.length === 0 ? (
        <p className="muted small">No ordinary address yet.</p>
      ) : (
        <ul className="setting-list" aria-label="Aliases">
          {aliases.map((a) => (
            <li key={a.alias}>
              <strong>{a.alias}</strong>
              <span className="muted small" title={a.bridge}>
                via {shortAddress(a.bridge)}
              </span>
              <button
                type="button"
                className="danger-text"
                aria-label={`Give up ${a.alias}`}
                disabled={busy}
                onClick={() => {
                  setBusy(true)
                  void call('removeAlias', { alias: a.alias }).then(apply)
                }}
              >
                Give up
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="setting-form"
        aria-label="Add an ordinary address"
        onSubmit={(e) => {
          e.preventDefault()
          setBusy(true)
          void call('addAlias', { alias: alias.trim(), bridge: bridge.trim() }).then((got) => {
            if (apply(got)) {
              setAlias('')
              setBridge('')
            }
          })
        }}
      >
        <label className="field">
          <span>Address</span>
          <input
            value={alias}
            placeholder="you@bridge.example"
            onChange={(e) => {
              setAlias(e.target.value)
            }}
          />
        </label>
        <label className="field">
          <span>Bridge</span>
          <input
            value={bridge}
            placeholder="pm1… (the bridge's address)"
            onChange={(e) => {
              setBridge(e.target.value)
            }}
          />
        </label>
        <button
          type="submit"
          className="primary"
          disabled={busy || alias.trim() === '' || bridge.trim() === ''}
        >
          <Icon name="plus" size={16} /> {busy ? 'Asking the bridge…' : 'Add'}
        </button>
      </form>
      <FormError message={error} id="aliases-error" />
    </section>
  )
}

export function RecoveryPhraseSection({ backend }: { backend: Backend }) {
  const call = useCall(backend)
  const [phrase, setPhrase] = useState<string>()
  const [error, setError] = useState<string>()
  return (
    <section className="card" aria-labelledby="phrase-title">
      <h2 id="phrase-title">
        <Icon name="shield" size={16} /> Recovery phrase
      </h2>
      <p className="muted">
        The 24 words restore this account on a new device. Anyone who has them can read your mail:
        write them on paper and keep them safe.
      </p>
      {phrase === undefined ? (
        <PassphraseForm
          label="Show the recovery phrase"
          submit="Show recovery phrase"
          errorId={error ? 'phrase-error' : undefined}
          onPassphrase={async (passphrase) => {
            const got = await call('recoveryPhrase', { passphrase })
            if (got.ok) {
              setError(undefined)
              setPhrase(got.value.phrase)
            } else setError(got.message)
          }}
        />
      ) : (
        <>
          <ol className="phrase" aria-label="Recovery phrase" data-testid="recovery-phrase">
            {phrase.split(' ').map((word, i) => (
              <li key={i}>{word}</li>
            ))}
          </ol>
          <button
            type="button"
            onClick={() => {
              setPhrase(undefined)
            }}
          >
            Hide
          </button>
        </>
      )}
      <FormError message={error} id="phrase-error" />
    </section>
  )
}

/**
 * The app password that mail apps (Thunderbird, mutt…) log in to local SMTP submission with: where to
 * point them, and a new password (after the passphrase) shown once, or none.
 */
export function MailAppsSection({ backend }: { backend: Backend }) {
  const call = useCall(backend)
  const [state, setState] = useState<ApiSmtpSubmission>()
  const [password, setPassword] = useState<string>()
  const [error, setError] = useState<string>()
  useEffect(() => {
    void call('smtpSubmission', {}).then((got) => {
      if (got.ok) setState(got.value)
      else setError(got.message)
    })
  }, [call])
  const listening = state?.listening
  return (
    <section className="card" aria-labelledby="mail-apps-title">
      <h2 id="mail-apps-title">
        <Icon name="compose" size={16} /> Mail apps
      </h2>
      <p className="muted">
        Thunderbird, mutt or any mail app on this computer can send as you through Peermail:
        outgoing server (SMTP){' '}
        {listening ? `${listening.host}, port ${listening.port}` : '127.0.0.1'}, no encryption (the
        mail never leaves this computer), normal password.
      </p>
      {listening === undefined && (
        <p className="muted small" data-testid="smtp-not-running">
          Not running now: start Peermail with <code>peermail serve --smtp-port 1587</code>.
        </p>
      )}
      {state && (
        <dl className="setting-facts">
          <dt>User name</dt>
          <dd className="mono" data-testid="smtp-user">
            {state.user}
          </dd>
          <dt>Password</dt>
          <dd data-testid="smtp-password-state">
            {password !== undefined ? (
              <span className="mono" data-testid="smtp-password">
                {password}
              </span>
            ) : state.hasPassword ? (
              'set (shown only when it was made)'
            ) : (
              'none yet'
            )}
          </dd>
        </dl>
      )}
      {password !== undefined && (
        <p className="muted small">
          Copy it into your mail app now: it is not shown again. A new one replaces it.
        </p>
      )}
      <PassphraseForm
        label="Make an app password"
        submit={state?.hasPassword ? 'Make a new app password' : 'Make an app password'}
        errorId={error ? 'mail-apps-error' : undefined}
        onPassphrase={async (passphrase) => {
          const got = await call('renewSmtpPassword', { passphrase })
          if (!got.ok) {
            setError(got.message)
            return
          }
          setError(undefined)
          const { password: made, ...rest } = got.value
          setState(rest)
          setPassword(made)
        }}
      />
      {state?.hasPassword && (
        <div className="setting-actions">
          <button
            type="button"
            onClick={() => {
              void call('revokeSmtpPassword', {}).then((got) => {
                if (!got.ok) {
                  setError(got.message)
                  return
                }
                setError(undefined)
                setPassword(undefined)
                setState(got.value)
              })
            }}
          >
            Remove the app password
          </button>
        </div>
      )}
      <FormError message={error} id="mail-apps-error" />
    </section>
  )
}

export function RemoteContentSection(props: {
  senders: string[]
  onRemoteContent: (sender: string, allowed: boolean) => void
}) {
  return (
    <section className="card" aria-labelledby="privacy-title">
      <h2 id="privacy-title">
        <Icon name="shield" size={16} /> Privacy
      </h2>
      <p className="muted">
        Remote images and stylesheets in mail are blocked, so senders cannot learn when you read
        their mail, unless you allow them for a sender from that mail's banner. Links show their
        real address and open in your browser only after you confirm.
      </p>
      {props.senders.length > 0 && (
        <ul className="setting-list" aria-label="Senders whose remote content loads">
          {props.senders.map((sender) => (
            <li key={sender}>
              <code title={sender}>{shortAddress(sender)}</code>
              <button
                type="button"
                aria-label={`Stop loading remote content from ${shortAddress(sender)}`}
                onClick={() => {
                  props.onRemoteContent(sender, false)
                }}
              >
                Block again
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
