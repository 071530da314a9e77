/**
 * The Settings page's calls: relays, bridge aliases, the recovery phrase and the mail apps' SMTP password
 * (both behind the passphrase, their tries counted together), and the per-sender remote-content allow
 * list. Relays and the allow list live in the account's settings file (client/settings.ts); relays take
 * effect the next time the account goes online, as with the CLI.
 */
import {
  addRelay,
  MAX_RELAYS,
  readSettings,
  removeRelay,
  revealRecoveryPhrase,
  setRemoteContent,
  verifyPassphrase,
  hasSubmissionPassword,
  renewSubmissionPassword,
  revokeSubmissionPassword,
  type Account,
  type AccountAlias,
} from '../../client/index.js'
import type { ApiAlias, ApiSmtpSubmission } from '../ipc/api.js'
import { AppError } from './errors.js'
import { peerAddressOf, type ApiContext, type Handler } from './handler.js'
import { fields, optionalBoolean, text } from './validate.js'

const LIMITS = { address: 512, alias: 254, passphrase: 1024 }

type SettingsCall =
  | 'relays'
  | 'addRelay'
  | 'removeRelay'
  | 'aliases'
  | 'addAlias'
  | 'removeAlias'
  | 'recoveryPhrase'
  | 'smtpSubmission'
  | 'renewSmtpPassword'
  | 'revokeSmtpPassword'
  | 'remoteContent'
  | 'setRemoteContent'

export const settingsHandlers: { [N in SettingsCall]: Handler<N> } = {
  relays: async (account, body) => {
    fields(body, [])
    return { relays: (await readSettings(account.home)).relays, max: MAX_RELAYS }
  },
  addRelay: async (account, body) => {
    const address = peerAddressOf(text(fields(body, ['address']), 'address', LIMITS.address, 1))
    return { relays: await addRelay(account.home, address), max: MAX_RELAYS }
  },
  removeRelay: async (account, body) => {
    const address = peerAddressOf(text(fields(body, ['address']), 'address', LIMITS.address, 1))
    return { relays: await removeRelay(account.home, address), max: MAX_RELAYS }
  },
  aliases: async (account, body) => {
    fields(body, [])
    return aliasesOf(await account.listAliases())
  },
  addAlias: async (account, body) => {
    const f = fields(body, ['alias', 'bridge'])
    const alias = text(f, 'alias', LIMITS.alias, 3).trim()
    const bridge = peerAddressOf(text(f, 'bridge', LIMITS.address, 1))
    await account.addAlias(alias, bridge)
    return aliasesOf(await account.listAliases())
  },
  removeAlias: async (account, body) => {
    const alias = text(fields(body, ['alias']), 'alias', LIMITS.alias, 3).trim()
    await account.removeAlias(alias)
    return aliasesOf(await account.listAliases())
  },
  recoveryPhrase: async (account, body, context) => {
    const passphrase = text(fields(body, ['passphrase']), 'passphrase', LIMITS.passphrase, 1)
    // Counted before the vault is tried, right or wrong: the limit is on guesses, not on failures.
    const wait = context.phraseAttempts.take()
    if (wait > 0) throw AppError.RATE_LIMITED('passphrase attempts', wait)
    return { phrase: await revealRecoveryPhrase(account.home, passphrase) }
  },
  smtpSubmission: async (account, body, context) => {
    fields(body, [])
    return submissionOf(account, context, await hasSubmissionPassword(account))
  },
  renewSmtpPassword: async (account, body, context) => {
    const passphrase = text(fields(body, ['passphrase']), 'passphrase', LIMITS.passphrase, 1)
    const wait = context.phraseAttempts.take()
    if (wait > 0) throw AppError.RATE_LIMITED('passphrase attempts', wait)
    await verifyPassphrase(account.home, passphrase)
    const password = await renewSubmissionPassword(account)
    return { ...submissionOf(account, context, true), password }
  },
  revokeSmtpPassword: async (account, body, context) => {
    fields(body, [])
    await revokeSubmissionPassword(account)
    return submissionOf(account, context, false)
  },
  remoteContent: async (account, body) => {
    fields(body, [])
    return { senders: (await readSettings(account.home)).remoteContent }
  },
  setRemoteContent: async (account, body) => {
    const f = fields(body, ['sender', 'allowed'])
    const sender = text(f, 'sender', LIMITS.address, 1)
    const allowed = optionalBoolean(f, 'allowed')
    if (allowed === undefined) throw AppError.INVALID_INPUT('allowed must be true or false')
    return { senders: await setRemoteContent(account.home, sender, allowed) }
  },
}

// What Settings shows of local submission; whether a password exists is known to a call that just set it.
function submissionOf(
  account: Account,
  context: ApiContext,
  hasPassword: boolean,
): ApiSmtpSubmission {
  return {
    user: account.address,
    hasPassword,
    ...(context.submission ? { listening: { ...context.submission } } : {}),
  }
}

/** Copied by name: an alias record may grow fields the renderer has no business seeing. */
function aliasesOf(list: AccountAlias[]): ApiAlias[] {
  return list.map(({ alias, bridge }) => ({ alias, bridge }))
}
