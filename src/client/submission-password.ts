import { appPasswordMatches, newAppPassword } from '../crypto/index.js'
import type { Mailbox } from '../mailbox/index.js'

/** Where the digest is kept: in the mailbox's state, encrypted and authenticated with the account's key. */
const STATE_NAME = 'client/submission-password'

type Holder = { mailbox: { store: Mailbox } }

/**
 * Makes a new app password for local SMTP submission, replacing any earlier one (which stops working at
 * once), and returns it: the only time it is seen, since only its digest is kept. The digest lives in the
 * account's encrypted mailbox, not beside it in a plain file, so that nobody who can merely write to the
 * account's folder can plant a password of their own and send mail as the account.
 */
export async function renewSubmissionPassword(account: Holder): Promise<string> {
  const { password, digest } = newAppPassword()
  await account.mailbox.store.commit({ state: [{ name: STATE_NAME, value: digest }] })
  return password
}

/** Removes the app password: no mail client can log in until a new one is made. */
export async function revokeSubmissionPassword(account: Holder): Promise<void> {
  await account.mailbox.store.commit({ state: [{ name: STATE_NAME, value: null }] })
}

/** Whether the account has an app password at all. */
export async function hasSubmissionPassword(account: Holder): Promise<boolean> {
  return typeof (await account.mailbox.store.state.get(STATE_NAME)) === 'string'
}

/** Whether `candidate` is the account's app password; false when it has none. */
export async function isSubmissionPassword(account: Holder, candidate: string): Promise<boolean> {
  const digest = await account.mailbox.store.state.get(STATE_NAME)
  return typeof digest === 'string' && appPasswordMatches(digest, candidate)
}
