/**
 * The operator CLI as operators run it: `node bin/faxd.js …` in a child process, reading
 * FAXD_DATA or DATABASE_URL, printing JSON. Then `faxd serve` answers with what the CLI made.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import pg from 'pg'
import { SQLITE_FILE_NAME } from '../../src/storage/sql/open-store.js'
import { serve } from '../support/faxd-process.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

const run = promisify(execFile)
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'faxd.js')

/** `faxd` with `input` on its standard input (a password), answered as faxd() answers. */
function faxdWithInput(env: Record<string, string>, input: string, ...args: string[]) {
  return new Promise<{ code: number; json: Record<string, any> | null; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.on('error', reject)
      child.on('close', (code) =>
        resolve({ code: code ?? -1, json: code === 0 ? JSON.parse(stdout) : null, stderr }),
      )
      child.stdin.end(input)
    },
  )
}

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
      '--name',
      'Acme Fax Sync',
      '--homepage',
      'https://acme.example.test/',
      '--redirect-uri',
      'http://localhost/cb',
      '--redirect-uri',
      'com.example.faxapp:/cb',
    )
    assert.equal(client.code, 0, client.stderr)
    assert.match(client.json?.['client_id'], /^APIK-/)
    assert.match(client.json?.['client_secret'], /^faxd_cs_/)
    const publicClient = await faxd(
      env,
      'clients',
      'create',
      '--user',
      adminUid,
      '--name',
      'Desktop fax',
      '--public',
      '--redirect-uri',
      'http://127.0.0.1/cb',
    )
    assert.equal(publicClient.code, 0, publicClient.stderr)
    assert.match(publicClient.json?.['client_id'], /^APIK-/)
    assert.equal(publicClient.json?.['client_secret'], null)

    const weak = await faxdWithInput(
      env,
      'password1\n',
      'accounts',
      'set-password',
      '--user',
      adminUid,
    )
    assert.equal(weak.code, 1)
    assert.equal(JSON.parse(weak.stderr.split('\n')[0] ?? '').error, 'weak_password')
    const set = await faxdWithInput(
      env,
      'a passphrase of the operator\n',
      'accounts',
      'set-password',
      '--user',
      adminUid,
    )
    assert.equal(set.code, 0, set.stderr)
    assert.deepEqual(set.json, { uid: adminUid, password_set: true })
    // The service hashes at the documented cost (docs/authentication.md), not at the suite's.
    const stored = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true })
    try {
      const row = stored.prepare('select password_hash from accounts where uid = ?').get(adminUid)
      assert.match(
        (row as { password_hash: string }).password_hash,
        /^scrypt\$N=16384,r=8,p=5\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/,
      )
    } finally {
      stored.close()
    }

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
      // The password set on standard input signs in, with the address in another case.
      const page = await fetch(
        `${server.url}/login?response_type=code&client_id=${client.json?.['client_id']}&redirect_uri=com.example.faxapp%3A%2Fcb`,
      )
      assert.equal(page.status, 200)
      assert.match(await page.text(), /Acme Fax Sync/)
      const login = await fetch(`${server.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          response_type: 'code',
          client_id: client.json?.['client_id'],
          redirect_uri: 'com.example.faxapp:/cb',
          email: 'ADMIN@example.test',
          password: 'a passphrase of the operator',
          decision: 'allow',
        }).toString(),
      })
      assert.equal(login.status, 302, await login.text())
      assert.match(
        login.headers.get('location') ?? '',
        /^com\.example\.faxapp:\/cb\?code=faxd_code_/,
      )

      // What the operator made, listed; a token revoked by its id is refused at once.
      const accounts = await faxd(env, 'accounts', 'list')
      assert.equal(accounts.code, 0, accounts.stderr)
      assert.deepEqual(
        (accounts.json as unknown as { email: string }[]).map((a) => a.email),
        ['admin@example.test', 'member@example.test'],
      )
      const ownNumbers = await faxd(env, 'numbers', 'list', '--owner', adminUid)
      assert.deepEqual(
        (ownNumbers.json as unknown as { number: string }[]).map((n) => n.number),
        ['+15555550150'],
      )
      const tokens = await faxd(env, 'tokens', 'list', '--user', adminUid)
      assert.equal(tokens.code, 0, tokens.stderr)
      const listed = tokens.json as unknown as { id: string; scopes: string[] }[]
      assert.ok(!JSON.stringify(listed).includes('faxd_pat_'), 'no secret in the list')
      const readOnlyId = listed.find((t) => t.scopes.join() === 'fax:numbers:read')?.id
      assert.ok(readOnlyId, JSON.stringify(listed))
      const revoked = await faxd(env, 'tokens', 'revoke', readOnlyId)
      assert.deepEqual(revoked.json, { id: readOnlyId, revoked: true })
      const refused = await fetch(`${server.url}/v3/accounts/self/numbers`, {
        headers: { authorization: `Bearer ${readOnly.json?.['token']}` },
      })
      assert.equal(refused.status, 401, 'the running server refuses the revoked token')
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

    const scriptRedirect = await faxd(
      env,
      'clients',
      'create',
      '--user',
      duplicate.json?.['uid'],
      '--name',
      'x',
      '--redirect-uri',
      'javascript:alert(1)',
    )
    assert.equal(scriptRedirect.code, 1)
    assert.equal(
      JSON.parse(scriptRedirect.stderr.split('\n')[0] ?? '').error,
      'invalid_redirect_uri',
    )
    const unnamed = await faxd(
      env,
      'clients',
      'create',
      '--user',
      duplicate.json?.['uid'],
      '--redirect-uri',
      'https://app.example.test/cb',
    )
    assert.equal(unnamed.code, 2)
    assert.match(unnamed.stderr, /--name is required/)

    const stdinPassword = await faxdWithInput(
      env,
      'from standard input\n',
      'accounts',
      'create',
      '--email',
      'Stdin@Example.test',
      '--password-stdin',
    )
    assert.equal(stdinPassword.code, 0, stdinPassword.stderr)
    assert.equal(stdinPassword.json?.['email'], 'stdin@example.test')

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
