/**
 * OAuth2 and sign-in as the current best practice has them, on both engines: redirect URIs that
 * can only reach the client, several per client; a reused code or refresh token revokes its
 * token family; PKCE (S256 only); scopes asked for at /login and honoured; failed sign-ins
 * slowed per pair, address and account, without locking the real user out; passwords held to
 * NIST's rules and hashed with scrypt at a written-down cost; e-mail addresses without case;
 * RFC 6749's edges (missing grant_type, one client authentication method, each parameter once,
 * 405 with Allow).
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { normalizeEmail } from '../../src/domain/account.js'
import { DomainError } from '../../src/domain/domain-error.js'
import { PASSWORD_HASH_COST } from '../../src/shared/secrets.js'
import { createAccount } from '../../src/use-cases/create-account.js'
import { createOAuthClient } from '../../src/use-cases/create-oauth-client.js'
import { setPassword } from '../../src/use-cases/set-password.js'
import { FORM_CONTENT_TYPE, basicAuth, formBody } from '../support/oauth-client.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const PASSWORD = 'a long and unusual passphrase'
const CALLBACK = 'https://app.example.test/callback'

interface Client {
  readonly clientId: string
  readonly clientSecret: string
  readonly redirectUri: string
}

interface TokenAnswer {
  readonly access_token: string
  readonly refresh_token: string
  readonly scope: string
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`OAuth2 and sign-in hardening (${engine})`, () => {
    let t: TestApp
    let user: TestUser
    let client: Client
    let addressCounter = 0
    /**
     * For what does not depend on the store (the rules themselves; their storage has contract
     * tests on both engines): defined in the SQLite pass only, to spare the suite scrypt time.
     */
    const itOnce = (engine === 'sqlite' ? it : () => undefined) as typeof it

    /** A network address of its own for each test, so that their failures do not add up. */
    function newAddress(): string {
      addressCounter += 1
      return `198.51.100.${addressCounter}`
    }

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user({ password: PASSWORD })
      client = await newClient([CALLBACK])
    })
    after(async () => {
      await t.close()
    })

    async function newClient(redirectUris: string[], name = 'Acme Fax Sync'): Promise<Client> {
      const created = await createOAuthClient(t.services, {
        uid: user.account.uid,
        type: 'confidential',
        name,
        homepage: 'https://acme.example.test/',
        redirectUris,
      })
      assert.ok(created.clientSecret !== null)
      return { ...created, clientSecret: created.clientSecret, redirectUri: redirectUris[0] ?? '' }
    }

    function getLogin(query: Record<string, string>): Promise<LightMyRequestResponse> {
      return t.app.inject({ method: 'GET', url: `/login?${formBody(query)}` })
    }

    function postLogin(
      fields: Record<string, string>,
      address = '203.0.113.1',
    ): Promise<LightMyRequestResponse> {
      return t.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: address,
        headers: { 'content-type': FORM_CONTENT_TYPE },
        payload: formBody(fields),
      })
    }

    function loginFields(
      overrides: Record<string, string> = {},
      of: Client = client,
    ): Record<string, string> {
      return {
        response_type: 'code',
        client_id: of.clientId,
        redirect_uri: of.redirectUri,
        state: 'st',
        email: user.account.email,
        password: PASSWORD,
        decision: 'allow',
        ...overrides,
      }
    }

    function redirectParams(response: LightMyRequestResponse): URLSearchParams {
      assert.equal(response.statusCode, 302, response.body)
      return new URL(String(response.headers.location)).searchParams
    }

    async function signIn(overrides: Record<string, string> = {}, of = client): Promise<string> {
      const params = redirectParams(await postLogin(loginFields(overrides, of)))
      const code = params.get('code')
      assert.ok(code, params.toString())
      return code
    }

    function postToken(
      fields: Record<string, string>,
      of: Client = client,
    ): Promise<LightMyRequestResponse> {
      return t.app.inject({
        method: 'POST',
        url: '/token',
        headers: {
          authorization: basicAuth(of.clientId, of.clientSecret),
          'content-type': FORM_CONTENT_TYPE,
        },
        payload: formBody(fields),
      })
    }

    function exchange(code: string, extra: Record<string, string> = {}, of = client) {
      return postToken(
        { grant_type: 'authorization_code', code, redirect_uri: of.redirectUri, ...extra },
        of,
      )
    }

    function refresh(refreshToken: string) {
      return postToken({ grant_type: 'refresh_token', refresh_token: refreshToken })
    }

    async function tokensFrom(response: LightMyRequestResponse): Promise<TokenAnswer> {
      assert.equal(response.statusCode, 200, response.body)
      return response.json<TokenAnswer>()
    }

    function assertTokenError(
      response: LightMyRequestResponse,
      status: number,
      code: string,
      description?: RegExp,
    ): void {
      assert.equal(response.statusCode, status, response.body)
      const body = response.json<Record<string, string>>()
      assert.deepEqual(Object.keys(body).sort(), ['description', 'error', 'error_description'])
      assert.equal(body['error'], code, response.body)
      if (description) {
        assert.match(body['error_description'] ?? '', description)
      }
    }

    function self(accessToken: string, of = client): Promise<LightMyRequestResponse> {
      return t.app.inject({
        method: 'GET',
        url: '/v3/accounts/self',
        headers: { authorization: `Bearer ${accessToken}`, 'x-fax-clientid': of.clientId },
      })
    }

    describe('redirect URIs', () => {
      const refused = [
        'javascript:alert(1)',
        'JavaScript:alert(document.cookie)//',
        'data:text/html,<script>alert(1)</script>',
        'file:///etc/passwd',
        'vbscript:msgbox',
        'http://app.example.test/callback',
        'http://10.0.0.1/callback',
        'https://app.example.test/callback#fragment',
        'myapp:/callback',
        '/relative/callback',
      ]
      for (const uri of refused) {
        itOnce(`refuses to register ${uri}, saying why, and stores nothing`, async () => {
          const before = await t.snapshot()
          await assert.rejects(newClient([CALLBACK, uri]), (error: unknown) => {
            assert.ok(error instanceof DomainError)
            assert.equal(error.code, 'invalid_redirect_uri')
            assert.ok(error.message.startsWith(uri), error.message)
            return true
          })
          assert.equal(await t.snapshot(), before)
        })
      }

      itOnce('registers https, http on loopback addresses and reverse-domain schemes', async () => {
        const uris = [
          'https://app.example.test/cb?keep=1',
          'http://127.0.0.1:8765/cb',
          'http://[::1]/cb',
          'http://localhost:9000/cb',
          'com.example.faxapp:/oauth2redirect',
        ]
        const several = await newClient(uris)
        for (const uri of uris) {
          const params = redirectParams(
            await postLogin(loginFields({ redirect_uri: uri }, { ...several, redirectUri: uri })),
          )
          assert.ok(params.get('code'), uri)
        }
      })

      itOnce(
        'wants redirect_uri from a client with several, and shows a page without it',
        async () => {
          const several = await newClient([CALLBACK, 'https://other.example.test/cb'])
          const response = await getLogin({ response_type: 'code', client_id: several.clientId })
          assert.equal(response.statusCode, 400)
          assert.equal(response.headers.location, undefined)
          assert.match(response.body, /redirect_uri is required/)
        },
      )

      itOnce('uses the only registered redirect URI when none is given', async () => {
        const params = redirectParams(await postLogin(loginFields({ redirect_uri: '' })))
        assert.ok(params.get('code'))
      })
    })

    describe('a code or refresh token used twice revokes its token family', () => {
      it('a code used twice: refused, and every token from it and its refreshes revoked', async () => {
        const code = await signIn()
        const first = await tokensFrom(await exchange(code))
        const second = await tokensFrom(await refresh(first.refresh_token))
        const unrelated = await tokensFrom(await exchange(await signIn()))
        assert.equal((await self(second.access_token)).statusCode, 200)

        assertTokenError(await exchange(code), 400, 'invalid_grant', /used before.*revoked/)
        for (const token of [first.access_token, second.access_token]) {
          assert.equal((await self(token)).statusCode, 401)
        }
        assertTokenError(await refresh(second.refresh_token), 400, 'invalid_grant')
        assert.equal((await self(unrelated.access_token)).statusCode, 200)
      })

      it('a rotated refresh token used again: refused, and the newest pair revoked', async () => {
        const first = await tokensFrom(await exchange(await signIn()))
        const second = await tokensFrom(await refresh(first.refresh_token))
        const unrelated = await tokensFrom(await exchange(await signIn()))

        assertTokenError(
          await refresh(first.refresh_token),
          400,
          'invalid_grant',
          /used before or revoked; every token of this sign-in has been revoked/,
        )
        assert.equal((await self(second.access_token)).statusCode, 401)
        assertTokenError(await refresh(second.refresh_token), 400, 'invalid_grant')
        assert.equal((await self(unrelated.access_token)).statusCode, 200)
        await tokensFrom(await refresh(unrelated.refresh_token))
      })

      it('a wrong redirect_uri is named as such, and leaves the code usable', async () => {
        const code = await signIn()
        assertTokenError(
          await exchange(code, { redirect_uri: 'https://app.example.test/elsewhere' }),
          400,
          'invalid_grant',
          /redirect_uri is not the one the authorization code was issued for/,
        )
        await tokensFrom(await exchange(code))
      })

      it('a code issued for a named redirect_uri wants it at /token; one issued without, not', async () => {
        const code = await signIn()
        assertTokenError(
          await postToken({ grant_type: 'authorization_code', code }),
          400,
          'invalid_request',
          /redirect_uri is required/,
        )
        await tokensFrom(await exchange(code))
        const unnamed = await signIn({ redirect_uri: '' })
        await tokensFrom(await postToken({ grant_type: 'authorization_code', code: unnamed }))
      })

      itOnce('an expired code is named as such', async () => {
        const code = await signIn()
        const start = t.clock.now()
        t.clock.advance(61_000)
        try {
          assertTokenError(await exchange(code), 400, 'invalid_grant', /expired/)
        } finally {
          t.clock.set(start)
        }
      })
    })

    describe('PKCE (RFC 7636)', () => {
      const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
      const challenge = createHash('sha256').update(verifier).digest('base64url')
      const withChallenge = { code_challenge: challenge, code_challenge_method: 'S256' }

      itOnce('carries the challenge through the sign-in page', async () => {
        const page = await getLogin({
          response_type: 'code',
          client_id: client.clientId,
          redirect_uri: CALLBACK,
          ...withChallenge,
        })
        assert.equal(page.statusCode, 200, page.body)
        assert.ok(page.body.includes(`name="code_challenge" value="${challenge}"`))
        assert.ok(page.body.includes('name="code_challenge_method" value="S256"'))
      })

      it('wants the verifier for a code issued with a challenge, and the right one', async () => {
        const code = await signIn(withChallenge)
        assertTokenError(await exchange(code), 400, 'invalid_grant', /send its code_verifier/)
        assertTokenError(
          await exchange(code, { code_verifier: verifier.replace('d', 'e') }),
          400,
          'invalid_grant',
          /does not match/,
        )
        assertTokenError(
          await exchange(code, { code_verifier: 'too short' }),
          400,
          'invalid_request',
        )
        const tokens = await tokensFrom(await exchange(code, { code_verifier: verifier }))
        assert.equal((await self(tokens.access_token)).statusCode, 200)
      })

      itOnce(
        'refuses a verifier for a code issued without a challenge (no downgrade)',
        async () => {
          const code = await signIn()
          assertTokenError(
            await exchange(code, { code_verifier: verifier }),
            400,
            'invalid_grant',
            /without code_challenge/,
          )
        },
      )

      const badChallenges: [string, Record<string, string>, RegExp][] = [
        ['plain', { code_challenge: verifier, code_challenge_method: 'plain' }, /must be S256/],
        ['no method (plain by default)', { code_challenge: challenge }, /must be S256/],
        ['a challenge of the wrong shape', { ...withChallenge, code_challenge: 'abc' }, /43/],
        ['a method alone', { code_challenge_method: 'S256' }, /without code_challenge/],
      ]
      for (const [name, params, description] of badChallenges) {
        itOnce(`sends ${name} back with invalid_request, and issues no code`, async () => {
          const params302 = redirectParams(await postLogin(loginFields(params)))
          assert.equal(params302.get('error'), 'invalid_request')
          assert.match(params302.get('error_description') ?? '', description)
          assert.equal(params302.get('state'), 'st')
          assert.equal(params302.get('code'), null)
        })
      }
    })

    describe('scopes', () => {
      it('grants the scopes asked for, and the token can do that and no more', async () => {
        const code = await signIn({ scope: 'fax:fax:read fax:user:read' })
        const tokens = await tokensFrom(await exchange(code))
        assert.equal(tokens.scope, 'fax:fax:read fax:user:read')
        assert.equal((await self(tokens.access_token)).statusCode, 200)
        const headers = {
          authorization: `Bearer ${tokens.access_token}`,
          'x-fax-clientid': client.clientId,
        }
        const outbox = await t.app.inject({
          method: 'GET',
          url: '/v3/accounts/self/outbox',
          headers,
        })
        assert.equal(outbox.statusCode, 200, outbox.body)
        const hook = await t.app.inject({
          method: 'POST',
          url: '/v3/hooks',
          headers: { ...headers, 'content-type': 'application/json' },
          payload: JSON.stringify({ target: 'https://hooks.example.test/', event: 'fax_sent' }),
        })
        assert.equal(hook.statusCode, 403, hook.body)
        assert.equal(hook.json<{ error: string }>().error, 'insufficient_scope')
        // A refresh keeps the scopes.
        assert.equal((await tokensFrom(await refresh(tokens.refresh_token))).scope, tokens.scope)
      })

      itOnce('grants all when no scope is asked for, as Fax.Plus clients expect', async () => {
        assert.equal((await tokensFrom(await exchange(await signIn()))).scope, 'all')
        assert.equal(
          (await tokensFrom(await exchange(await signIn({ scope: 'all' })))).scope,
          'all',
        )
      })

      itOnce('sends an unknown scope back with invalid_scope', async () => {
        const params = redirectParams(
          await getLogin({
            response_type: 'code',
            client_id: client.clientId,
            redirect_uri: CALLBACK,
            scope: 'fax:fax:read fax:everything',
            state: 'st',
          }),
        )
        assert.equal(params.get('error'), 'invalid_scope')
        assert.match(params.get('error_description') ?? '', /fax:everything/)
        assert.equal(params.get('state'), 'st')
      })

      itOnce('names the application and says in words what it will be able to do', async () => {
        const page = await getLogin({
          response_type: 'code',
          client_id: client.clientId,
          redirect_uri: CALLBACK,
          scope: 'fax:fax:read fax:numbers:edit',
        })
        assert.equal(page.statusCode, 200, page.body)
        assert.match(page.body, /Acme Fax Sync<\/a>/)
        assert.match(page.body, /href="https:\/\/acme\.example\.test\/"/)
        assert.match(
          page.body,
          /<li>read your faxes, sent and received, with their pages and reports<\/li>/,
        )
        assert.match(page.body, /<li>assign and release your fax numbers<\/li>/)
        assert.doesNotMatch(page.body, /send faxes/)
        assert.ok(page.body.includes('name="scope" value="fax:fax:read fax:numbers:edit"'))
      })

      itOnce('escapes the application name', async () => {
        const odd = await newClient([CALLBACK], '<b>Evil & Co</b>')
        const page = await getLogin({ response_type: 'code', client_id: odd.clientId })
        assert.match(page.body, /&#60;b&#62;Evil &#38; Co&#60;\/b&#62;/)
      })
    })

    describe('password guessing', () => {
      it('slows one address guessing one account: 401s, then 429 with a growing Retry-After', async () => {
        const address = newAddress()
        const wrong = loginFields({ password: 'not the password' })
        for (let i = 1; i <= 6; i += 1) {
          assert.equal((await postLogin(wrong, address)).statusCode, 401, `failure ${i}`)
        }
        // The sixth failure costs a second: even the right password waits.
        const blocked = await postLogin(loginFields(), address)
        assert.equal(blocked.statusCode, 429, blocked.body)
        assert.equal(blocked.headers['retry-after'], '1')
        assert.match(blocked.body, /try again in 1 seconds/)
        t.clock.advance(1000)
        assert.equal((await postLogin(wrong, address)).statusCode, 401)
        assert.equal((await postLogin(wrong, address)).headers['retry-after'], '2')
        t.clock.advance(2000)
        // The right password, once allowed, signs in and clears the count.
        assert.ok(redirectParams(await postLogin(loginFields(), address)).get('code'))
        assert.equal((await postLogin(wrong, address)).statusCode, 401)
      })

      itOnce('slows one address guessing many accounts', async () => {
        const address = newAddress()
        for (let i = 0; i < 20; i += 1) {
          const guess = loginFields({ email: `nobody${i}@example.test`, password: 'guess' })
          assert.equal((await postLogin(guess, address)).statusCode, 401, `failure ${i + 1}`)
        }
        assert.equal(
          (await postLogin(loginFields({ email: 'x@example.test' }), address)).statusCode,
          401,
        )
        const blocked = await postLogin(loginFields(), address)
        assert.equal(blocked.statusCode, 429)
        assert.equal(blocked.headers['retry-after'], '1')
        t.clock.advance(60 * 60_000)
      })

      itOnce(
        'slows many addresses guessing one account, but never where its owner signs in',
        async () => {
          const victim = await t.user({ password: PASSWORD })
          const usual = newAddress()
          assert.ok(
            redirectParams(
              await postLogin(loginFields({ email: victim.account.email }), usual),
            ).get('code'),
          )
          const wrong = loginFields({ email: victim.account.email, password: 'guess' })
          // The account's 10 free failures, and one that costs a wait (the 5-minute cap is
          // checked in test/domain/sign-in-throttle.test.ts).
          for (let i = 0; i < 11; i += 1) {
            await postLogin(wrong, newAddress())
          }
          const elsewhere = await postLogin(
            loginFields({ email: victim.account.email }),
            newAddress(),
          )
          assert.equal(elsewhere.statusCode, 429, elsewhere.body)
          const wait = Number(elsewhere.headers['retry-after'])
          assert.ok(wait > 0 && wait <= 300, `Retry-After ${wait}`)
          // The owner, from where they signed in before, is not held back.
          assert.ok(
            redirectParams(
              await postLogin(loginFields({ email: victim.account.email }), usual),
            ).get('code'),
          )
          t.clock.advance(wait * 1000)
          assert.ok(
            redirectParams(
              await postLogin(loginFields({ email: victim.account.email }), newAddress()),
            ).get('code'),
          )
        },
      )

      itOnce(
        'behind a trusted proxy, counts failures by the address X-Forwarded-For names',
        async () => {
          const proxied = await openTestApp(engine, { trustedProxies: ['127.0.0.1'] })
          try {
            const owner = await proxied.user({ password: PASSWORD })
            const proxiedClient = await createOAuthClient(proxied.services, {
              uid: owner.account.uid,
              type: 'confidential',
              name: 'Proxied',
              homepage: null,
              redirectUris: [CALLBACK],
            })
            const post = (forwardedFor: string, password: string) =>
              proxied.app.inject({
                method: 'POST',
                url: '/login',
                remoteAddress: '127.0.0.1',
                headers: { 'content-type': FORM_CONTENT_TYPE, 'x-forwarded-for': forwardedFor },
                payload: formBody({
                  response_type: 'code',
                  client_id: proxiedClient.clientId,
                  email: owner.account.email,
                  password,
                  decision: 'allow',
                }),
              })
            for (let i = 0; i < 6; i += 1) {
              assert.equal((await post('192.0.2.66', 'guess guess')).statusCode, 401)
            }
            assert.equal((await post('192.0.2.66', PASSWORD)).statusCode, 429)
            // Another client behind the same proxy is not held back by the attacker's failures.
            assert.equal((await post('192.0.2.77', PASSWORD)).statusCode, 302)
          } finally {
            await proxied.close()
          }
        },
      )

      itOnce(
        'answers an unknown address as a known one, and counts its failures alike',
        async () => {
          const address = newAddress()
          const unknown = await postLogin(loginFields({ email: 'ghost@example.test' }), address)
          const known = await postLogin(loginFields({ password: 'wrong password' }), address)
          assert.equal(unknown.statusCode, 401)
          assert.equal(known.statusCode, 401)
          assert.match(unknown.body, /Wrong email or password/)
          assert.match(known.body, /Wrong email or password/)
        },
      )
    })

    describe('passwords', () => {
      const weak = [
        ['', /at least 8/],
        ['a', /at least 8/],
        ['seven77', /at least 8/],
        ['password123', /most used/],
        ['Passw0rd', /most used/],
        ['12345678', /repeated character or a run/],
        ['zzzzzzzzzz', /repeated character or a run/],
        ['x'.repeat(257), /at most 256/],
      ] as const
      for (const [password, reason] of weak) {
        itOnce(
          `refuses the password "${password.slice(0, 12)}" (${password.length} characters)`,
          async () => {
            await assert.rejects(
              createAccount(t.services, {
                email: `weak${password.length}@example.test`,
                type: null,
                adminUid: null,
                password,
              }),
              (error: unknown) =>
                error instanceof DomainError &&
                error.code === 'weak_password' &&
                reason.test(error.message),
            )
          },
        )
      }

      itOnce('refuses a password holding the e-mail address', async () => {
        await assert.rejects(
          setPassword(t.services, { uid: user.account.uid, password: `${user.account.email}!` }),
          (error: unknown) => error instanceof DomainError && error.code === 'weak_password',
        )
      })

      it("stores scrypt at the services' cost, and replaces an older hash at sign-in", async () => {
        const db = t.testStore.database()
        const hashOf = async (uid: string) =>
          (
            await db
              .selectFrom('accounts')
              .select('password_hash')
              .where('uid', '=', uid)
              .executeTakeFirstOrThrow()
          ).password_hash ?? ''
        // The suite's cost (test/support/test-passwords.ts); the service's is checked through
        // the operator CLI (test/cli/operator-cli.test.ts).
        const { N, r, p } = t.services.passwords.cost
        const current = new RegExp(`^scrypt\\$N=${N},r=${r},p=${p}\\$`)
        assert.match(await hashOf(user.account.uid), current)
        assert.equal(
          `${PASSWORD_HASH_COST.N},${PASSWORD_HASH_COST.r},${PASSWORD_HASH_COST.p}`,
          '16384,8,5',
        )
        // A hash as faxd made them before the cost was written into it (Node's defaults, p = 1).
        const { scryptSync } = await import('node:crypto')
        const salt = Buffer.from('0123456789abcdef')
        const legacy = `scrypt$${salt.toString('base64url')}$${scryptSync(PASSWORD, salt, 32).toString('base64url')}`
        await db
          .updateTable('accounts')
          .set({ password_hash: legacy })
          .where('uid', '=', user.account.uid)
          .execute()
        await signIn()
        assert.match(await hashOf(user.account.uid), current)
        await signIn()
      })

      itOnce(
        'sets a new password: the old one stops working and earlier failures are forgotten',
        async () => {
          const owner = await t.user({ password: PASSWORD })
          const address = newAddress()
          for (let i = 0; i < 11; i += 1) {
            await postLogin(
              loginFields({ email: owner.account.email, password: 'guess' }),
              newAddress(),
            )
          }
          await setPassword(t.services, {
            uid: owner.account.uid,
            password: 'a brand new passphrase',
          })
          assert.equal(
            (await postLogin(loginFields({ email: owner.account.email }), address)).statusCode,
            401,
          )
          assert.ok(
            redirectParams(
              await postLogin(
                loginFields({ email: owner.account.email, password: 'a brand new passphrase' }),
                address,
              ),
            ).get('code'),
          )
        },
      )
    })

    describe('e-mail addresses without case', () => {
      it('keeps an address in lower case, refuses the same in other case, signs in with any case', async () => {
        const account = await createAccount(t.services, {
          email: 'Mixed.Case@Example.TEST',
          type: null,
          adminUid: null,
          password: PASSWORD,
        })
        assert.equal(account.email, 'mixed.case@example.test')
        await assert.rejects(
          createAccount(t.services, {
            email: 'MIXED.case@example.test',
            type: null,
            adminUid: null,
            password: null,
          }),
          (error: unknown) => error instanceof DomainError && error.code === 'email_taken',
        )
        assert.ok(
          redirectParams(
            await postLogin(loginFields({ email: 'MIXED.CASE@example.test' }), newAddress()),
          ).get('code'),
        )
      })

      it('keeps an address changed through the API in lower case', async () => {
        const owner = await t.user()
        const response = await t.request('PUT', '/v3/accounts/self', {
          token: owner.token,
          body: { email: 'New.Address@Example.TEST' },
        })
        assert.equal(response.statusCode, 200, response.body)
        const read = await t.request('GET', '/v3/accounts/self', { token: owner.token })
        assert.equal(
          read.json<{ email: string }>().email,
          normalizeEmail('New.Address@Example.TEST'),
        )
      })
    })

    describe('protocol edges (RFC 6749)', () => {
      itOnce('a missing grant_type is invalid_request', async () => {
        assertTokenError(
          await postToken({ code: 'x' }),
          400,
          'invalid_request',
          /grant_type is required/,
        )
      })

      itOnce('another method on /token is 405 with Allow: POST, in RFC 6749 form', async () => {
        for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'] as const) {
          const response = await t.app.inject({ method, url: '/token' })
          assertTokenError(response, 405, 'invalid_request')
          assert.equal(response.headers.allow, 'POST', method)
        }
      })

      itOnce('another method on /login is 405 with Allow', async () => {
        for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
          const response = await t.app.inject({ method, url: '/login' })
          assert.equal(response.statusCode, 405, method)
          assert.equal(response.headers.allow, 'GET, HEAD, POST')
        }
      })

      itOnce(
        'credentials in Basic and in the body that differ are refused; the same pair is taken',
        async () => {
          const code = await signIn()
          const other = await newClient([CALLBACK])
          assertTokenError(
            await exchange(code, { client_id: client.clientId, client_secret: other.clientSecret }),
            400,
            'invalid_request',
            /use one method/,
          )
          assertTokenError(
            await exchange(code, { client_id: other.clientId }),
            400,
            'invalid_request',
          )
          await tokensFrom(
            await exchange(code, {
              client_id: client.clientId,
              client_secret: client.clientSecret,
            }),
          )
        },
      )

      itOnce('a parameter given twice is invalid_request', async () => {
        const code = await signIn()
        const response = await t.app.inject({
          method: 'POST',
          url: `/token?grant_type=authorization_code`,
          headers: {
            authorization: basicAuth(client.clientId, client.clientSecret),
            'content-type': FORM_CONTENT_TYPE,
          },
          payload: formBody({ grant_type: 'authorization_code', code }),
        })
        assertTokenError(response, 400, 'invalid_request', /grant_type came more than once/)
        await tokensFrom(await exchange(code))
      })

      itOnce('a missing response_type goes back as invalid_request', async () => {
        const params = redirectParams(
          await getLogin({ client_id: client.clientId, redirect_uri: CALLBACK, state: 'st' }),
        )
        assert.equal(params.get('error'), 'invalid_request')
        assert.equal(params.get('state'), 'st')
      })
    })
  })
}
