import { describe, expect } from 'vitest'
import { test } from '../../helpers/mailbox.js'

const KEY_A = 'a'.repeat(64)
const KEY_B = 'b'.repeat(64)

describe('contacts', () => {
  test('petnames, blocking and listing', async ({ home }) => {
    const mailbox = await home.open()
    await mailbox.contacts.put('Bob@Example.org ', { petname: 'Bob' })
    await mailbox.contacts.block('bob@example.org')
    expect(await mailbox.contacts.get('BOB@example.org')).toMatchObject({
      address: 'bob@example.org',
      petname: 'Bob',
      blocked: true,
      verified: false,
    })
    expect((await mailbox.contacts.list()).map((c) => c.address)).toEqual(['bob@example.org'])
    await mailbox.contacts.remove('bob@example.org')
    expect(await mailbox.contacts.list()).toEqual([])
  })

  test('a changed key is flagged, never accepted silently', async ({ home }) => {
    const mailbox = await home.open()
    expect(await mailbox.contacts.observeKey('carol@example.org', KEY_A)).toBe('new')
    await mailbox.contacts.verify('carol@example.org', KEY_A)
    expect(await mailbox.contacts.observeKey('carol@example.org', KEY_A)).toBe('same')
    expect(await mailbox.contacts.observeKey('carol@example.org', KEY_B)).toBe('changed')
    const flagged = await mailbox.contacts.get('carol@example.org')
    expect(flagged).toMatchObject({
      identityKey: KEY_A,
      verified: false,
      keyChange: { previousKey: KEY_A, newKey: KEY_B },
    })
    await expect(mailbox.contacts.verify('carol@example.org', KEY_B)).rejects.toMatchObject({
      code: 'CONTACT_KEY_CHANGED',
    })
    const accepted = await mailbox.contacts.acceptKeyChange('carol@example.org')
    expect(accepted).toMatchObject({ identityKey: KEY_B, verified: false })
    expect(accepted.keyChange).toBeUndefined()
    expect((await mailbox.contacts.verify('carol@example.org', KEY_B)).verified).toBe(true)
  })

  test('validates input', async ({ home }) => {
    const mailbox = await home.open()
    await expect(mailbox.contacts.put('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(mailbox.contacts.put('x@y', { petname: 'a\nb' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(mailbox.contacts.observeKey('x@y', 'nothex')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(mailbox.contacts.acceptKeyChange('nobody@y')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
  })
})
