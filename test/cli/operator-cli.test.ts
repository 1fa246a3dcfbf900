/**
 * The operator CLI as operators run it: `node bin/faxd.js …` in a child process, reading
 * FAXD_DATA or DATABASE_URL, printing JSON. Then `faxd serve` answers with what the CLI made.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import pg from 'pg'
import { serve } from '../support/faxd-process.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

const run = promisify(execFile)
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'faxd.js')

async function faxd(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
    })
    return { code: 0, json: JSON.parse(stdout) as Record<string, any>, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, json: null, stderr: failed.stderr }
  }
}

describe('operator CLI on the embedded store', () => {
  let dataDir: string
  let env: Record<string, string>

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'faxd-cli-'))
    env = { FAXD_DATA: dataDir, DATABASE_URL: '' }
  })
  after(async () => rm(dataDir, { recursive: true, force: true }))

  it('creates accounts, members, numbers, tokens and clients, then serves them', async () => {
    const admin = await faxd(
      env,
      'accounts',
      'create',
      '--email',
      'admin@example.test',
      '--type',
      'corporate_admin',
    )
    assert.equal(admin.code, 0, admin.stderr)
    assert.equal(admin.json?.['account_type'], 'corporate_admin')
    assert.match(admin.json?.['uid'], /^[0-9a-f]{32}$/)
    const adminUid: string = admin.json?.['uid']

    const member = await faxd(
      env,
      'accounts',
      'create',
      '--email',
      'member@example.test',
      '--admin',
      adminUid,
    )
    assert.equal(member.json?.['account_type'], 'corporate_member')
    assert.deepEqual(member.json?.['member_of'], [adminUid])

    const number = await faxd(
      env,
      'numbers',
      'add',
      '+15555550150',
      '--owner',
      adminUid,
      '--assign',
      member.json?.['uid'],
      '--assign',
      adminUid,
    )
    assert.equal(number.code, 0, number.stderr)
    assert.equal(number.json?.['number'], '+15555550150')
    assert.deepEqual(
      [...(number.json?.['assigned_to'] ?? [])].sort(),
      [member.json?.['uid'], adminUid].sort(),
    )

    const token = await faxd(env, 'tokens', 'create', '--user', adminUid)
    assert.match(token.json?.['token'], /^faxd_pat_/)
    const readOnly = await faxd(
      env,
      'tokens',
      'create',
      '--user',
      adminUid,
      '--scopes',
      'fax:numbers:read',
      '--expires-in-days',
      '30',
    )
    assert.equal(readOnly.code, 0, readOnly.stderr)

    const client = await faxd(
      env,
      'clients',
      'create',
      '--user',
      adminUid,
      '--redirect-uri',
      'http://localhost/cb',
    )
    assert.match(client.json?.['client_id'], /^APIK-/)
    assert.match(client.json?.['client_secret'], /^faxd_cs_/)

    const server = await serve(env)
    try {
      const numbers = await fetch(`${server.url}/v3/accounts/self/numbers`, {
        headers: { authorization: `Bearer ${readOnly.json?.['token']}` },
      })
      assert.equal(numbers.status, 200)
      const body = (await numbers.json()) as { numbers: { number: string }[] }
      assert.deepEqual(
        body.numbers.map((n) => n.number),
        ['+15555550150'],
      )
      const outbox = await fetch(`${server.url}/v3/accounts/self/outbox`, {
        headers: { authorization: `Bearer ${readOnly.json?.['token']}` },
      })
      assert.equal(outbox.status, 403, 'the read-only token has only fax:numbers:read')
    } finally {
      await server.stop()
    }
  })

  it('fails with a JSON error and status 1 on a broken rule, 2 on bad usage', async () => {
    const duplicate = await faxd(env, 'accounts', 'create', '--email', 'dup@example.test')
    assert.equal(duplicate.code, 0)
    const again = await faxd(env, 'accounts', 'create', '--email', 'dup@example.test')
    assert.equal(again.code, 1)
    assert.equal(JSON.parse(again.stderr.split('\n')[0] ?? '').error, 'email_taken')

    const badScope = await faxd(
      env,
      'tokens',
      'create',
      '--user',
      duplicate.json?.['uid'],
      '--scopes',
      'fax:everything',
    )
    assert.equal(badScope.code, 1)
    assert.equal(JSON.parse(badScope.stderr.split('\n')[0] ?? '').error, 'invalid_request')

    const memberOfNobody = await faxd(
      env,
      'accounts',
      'create',
      '--email',
      'x@example.test',
      '--admin',
      'nobody',
    )
    assert.equal(memberOfNobody.code, 1)

    const usage = await faxd(env, 'accounts', 'create')
    assert.equal(usage.code, 2)
    assert.match(usage.stderr, /--email is required/)
    const unknown = await faxd(env, 'frobnicate')
    assert.equal(unknown.code, 2)
  })
})

describe('operator CLI on PostgreSQL (DATABASE_URL)', () => {
  const database = `faxd_cli_${randomBytes(6).toString('hex')}`
  const admin = () => new pg.Client({ connectionString: TEST_DATABASE_URL })

  before(async () => {
    const client = admin()
    await client.connect()
    await client.query(`CREATE DATABASE ${database}`)
    await client.end()
  })
  after(async () => {
    const client = admin()
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    await client.end()
  })

  it('keeps what it creates in PostgreSQL, not under FAXD_DATA', async () => {
    const url = new URL(TEST_DATABASE_URL)
    url.pathname = `/${database}`
    const dataDir = await mkdtemp(join(tmpdir(), 'faxd-cli-pg-'))
    try {
      const env = { DATABASE_URL: url.toString(), FAXD_DATA: dataDir }
      const account = await faxd(env, 'accounts', 'create', '--email', 'pg@example.test')
      assert.equal(account.code, 0, account.stderr)
      const client = new pg.Client({ connectionString: url.toString() })
      await client.connect()
      const rows = await client.query('SELECT email FROM accounts')
      await client.end()
      assert.deepEqual(rows.rows, [{ email: 'pg@example.test' }])
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

/**
 * Starts `faxd serve` on a port the system picks (PORT=0) and answers the URL it prints on
 * stderr once it listens. A child that exits first fails at once, with what it printed.
 */
