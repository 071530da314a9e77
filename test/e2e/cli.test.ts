import { describe, expect } from 'vitest'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openNode } from '../../src/client/index.js'
import { peermail } from '../helpers/cli.js'
import { test } from '../helpers/temp-dir.js'

const PASS = { PEERMAIL_PASSPHRASE: 'correct horse battery' }
const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/mbox/${name}`, import.meta.url))

describe('peermail CLI', () => {
  test(
    'init, whoami, import, list, search, read, export',
    { timeout: 120_000 },
    async ({ tempDir }) => {
      const home = join(tempDir, 'alice')
      const init = await peermail(['--home', home, '--json', 'init'], { env: PASS })
      expect(init.stderr).toBe('')
      expect(init.code).toBe(0)
      const { address, phrase } = JSON.parse(init.stdout) as { address: string; phrase: string }
      expect(address).toMatch(/^pm1[a-z0-9]{58}$/)
      expect(phrase.split(' ')).toHaveLength(24)
      const whoami = JSON.parse((await peermail(['--home', home, 'whoami', '--json'])).stdout) as {
        address: string
        identityNumber: string
      }
      expect(whoami).toEqual({
        address,
        identityNumber: expect.stringMatching(/^(\d{5} ){5}\d{5}$/) as string,
      })
      const card = await peermail(['--home', home, 'whoami'])
      expect(card.stdout).toContain(address)
      expect(card.stdout).toContain(whoami.identityNumber)
      // The QR code: rows of block characters, square.
      const qrRows = card.stdout.split('\n').filter((line) => /^[█▀▄ ]{20,}$/.test(line))
      expect(qrRows.length).toBeGreaterThan(10)

      const imported = await peermail(
        ['--home', home, '--json', 'import', fixture('thunderbird.mbox')],
        { env: PASS },
      )
      expect(imported.code).toBe(0)
      expect(JSON.parse(imported.stdout)).toMatchObject({
        imported: 3,
        duplicates: 0,
        problems: [],
      })

      const list = await peermail(['--home', home, '--json', 'list', '--limit', '10'], {
        env: PASS,
      })
      const page = JSON.parse(list.stdout) as { items: { id: string; subject: string }[] }
      expect(page.items).toHaveLength(3)

      const subject = page.items[0]!.subject
      const word = subject.split(/\W+/).find((w) => w.length > 3)!
      const search = await peermail(['--home', home, '--json', 'search', word], { env: PASS })
      expect(search.code).toBe(0)
      expect(
        (JSON.parse(search.stdout) as { items: { subject: string }[] }).items.map((m) => m.subject),
      ).toContain(subject)

      const read = await peermail(['--home', home, '--json', 'read', page.items[0]!.id], {
        env: PASS,
      })
      expect(JSON.parse(read.stdout)).toMatchObject({ id: page.items[0]!.id, subject })
      const human = await peermail(['--home', home, 'read', page.items[0]!.id], { env: PASS })
      expect(human.stdout).toContain(`Subject: ${subject}`)

      const out = join(tempDir, 'backup.mbox')
      const exported = await peermail(
        ['--home', home, 'export', '--format', 'mbox', '--out', out],
        { env: PASS },
      )
      expect(exported.code).toBe(0)
      expect((await stat(out)).size).toBeGreaterThan(0)
      const bob = join(tempDir, 'bob')
      await peermail(['--home', bob, 'init'], { env: PASS })
      const again = await peermail(['--home', bob, '--json', 'import', out], { env: PASS })
      expect(JSON.parse(again.stdout)).toMatchObject({ imported: 3 })
    },
  )

  test('restore from the phrase gives the same address; a bad phrase is refused', async ({
    tempDir,
  }) => {
    const init = await peermail(['--home', join(tempDir, 'a'), '--json', 'init'], { env: PASS })
    const { address, phrase } = JSON.parse(init.stdout) as { address: string; phrase: string }
    const restored = await peermail(['--home', join(tempDir, 'b'), '--json', 'restore'], {
      env: PASS,
      input: phrase,
    })
    expect(JSON.parse(restored.stdout)).toEqual({ address })
    const words = phrase.split(' ')
    words[3] = words[3] === 'zoo' ? 'abandon' : 'zoo'
    const bad = await peermail(['--home', join(tempDir, 'c'), 'restore'], {
      env: PASS,
      input: words.join(' '),
    })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^peermail: .*\[PHRASE_(CHECKSUM|UNKNOWN_WORD)\]\n$/)
  })

  test('a wrong passphrase fails with one clear line and changes nothing', async ({ tempDir }) => {
    const home = join(tempDir, 'a')
    await peermail(['--home', home, 'init'], { env: PASS })
    const vault = await readFile(join(home, 'vault'))
    const result = await peermail(['--home', home, 'list'], {
      env: { PEERMAIL_PASSPHRASE: 'wrong passphrase' },
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('peermail: Wrong passphrase [VAULT_WRONG_PASSPHRASE]\n')
    expect(result.stdout).toBe('')
    expect((await readFile(join(home, 'vault'))).equals(vault)).toBe(true)
  })

  test('a second process gets "already open (pid N)"', async ({ tempDir }) => {
    const home = join(tempDir, 'a')
    await peermail(['--home', home, 'init'], { env: PASS })
    const node = await openNode({ home, passphrase: PASS.PEERMAIL_PASSPHRASE })
    try {
      const result = await peermail(['--home', home, 'list'], { env: PASS })
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(`already open (pid ${process.pid})`)
    } finally {
      await node.close()
    }
    expect((await peermail(['--home', home, 'list'], { env: PASS })).code).toBe(0)
  })

  test('usage errors exit 2 with a message; --help and --version exit 0', async ({ tempDir }) => {
    const home = ['--home', join(tempDir, 'a')]
    const unknown = await peermail([...home, 'frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command')
    const missing = await peermail([...home, 'read'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("missing required argument 'id'")
    await peermail([...home, 'init'], { env: PASS })
    expect((await peermail([...home, 'list', '--limit', 'many'], { env: PASS })).code).toBe(2)
    expect(
      (await peermail([...home, 'export', '--format', 'zip', '--out', 'x'], { env: PASS })).code,
    ).toBe(2)
    expect((await peermail([...home, 'list'], { env: {} })).code).toBe(2)
    const help = await peermail(['read', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Example:')
    expect((await peermail(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
    const noAccount = await peermail(['--home', join(tempDir, 'none'), 'whoami'])
    expect(noAccount.code).toBe(1)
    expect(noAccount.stderr).toContain('[NO_ACCOUNT]')
  })
})
