/**
 * The sign-in rules as pure functions: the throttle's waits and caps, which keys hold a sign-in
 * back (and the trusted address that the account's count does not), the S256 check of PKCE with
 * RFC 7636's own example, and the scopes an application may ask for.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readCodeChallenge, verifierMatches } from '../../src/domain/pkce.js'
import { parseRequestedScope } from '../../src/domain/scopes.js'
import {
  ACCOUNT_RULE,
  ADDRESS_RULE,
  PAIR_RULE,
  ruleOf,
  signInKeys,
  waitAfter,
  waitBeforeSignIn,
} from '../../src/domain/sign-in-throttle.js'

describe('the sign-in throttle', () => {
  it('costs nothing for the free failures, then doubles from one second', () => {
    const waits = [5, 6, 7, 8, 9].map((failures) => waitAfter(PAIR_RULE, failures))
    assert.deepEqual(waits, [0, 1000, 2000, 4000, 8000])
  })

  it('never waits longer than each rule allows, however many failures', () => {
    for (const rule of [PAIR_RULE, ADDRESS_RULE, ACCOUNT_RULE]) {
      for (const failures of [40, 1000, 1e9]) {
        assert.equal(waitAfter(rule, failures), rule.maxWaitMs)
      }
    }
    assert.equal(ACCOUNT_RULE.maxWaitMs, 5 * 60_000, 'an account is held back 5 minutes at most')
  })

  it('finds the rule of each key', () => {
    const keys = signInKeys('dev@example.test', '192.0.2.1')
    assert.equal(ruleOf(keys.pair), PAIR_RULE)
    assert.equal(ruleOf(keys.address), ADDRESS_RULE)
    assert.equal(ruleOf(keys.account), ACCOUNT_RULE)
  })

  it("waits for the longest of the keys' waits, but not the account's from a trusted address", () => {
    const keys = signInKeys('dev@example.test', '192.0.2.1')
    const now = 1_000_000
    const account = { key: keys.account, untilMs: now + 300_000 }
    const address = { key: keys.address, untilMs: now + 5_000 }
    assert.equal(waitBeforeSignIn(keys, [account, address], now), 300_000)
    const trusted = { key: keys.trusted, untilMs: now + 1 }
    assert.equal(waitBeforeSignIn(keys, [account, address, trusted], now), 5_000)
    const expired = { key: keys.trusted, untilMs: now }
    assert.equal(waitBeforeSignIn(keys, [account, expired], now), 300_000)
    assert.equal(waitBeforeSignIn(keys, [{ key: keys.pair, untilMs: now - 1 }], now), 0)
  })
})

describe('PKCE', () => {
  // RFC 7636 appendix B.
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

  it("matches RFC 7636's example, and nothing else", () => {
    assert.equal(verifierMatches(verifier, challenge), true)
    assert.equal(verifierMatches(`${verifier}x`, challenge), false)
    assert.equal(verifierMatches(verifier, challenge.replace('E', 'F')), false)
  })

  it('takes S256 only', () => {
    assert.deepEqual(readCodeChallenge(challenge, 'S256'), { challenge })
    assert.deepEqual(readCodeChallenge(undefined, undefined), { challenge: null })
    for (const method of ['plain', 's256', undefined]) {
      assert.ok('problem' in readCodeChallenge(challenge, method), String(method))
    }
  })
})

describe('scopes asked for at /login', () => {
  it('grants all by default and for all, each other name once', () => {
    assert.deepEqual(parseRequestedScope(undefined), { granted: ['all'] })
    assert.deepEqual(parseRequestedScope(''), { granted: ['all'] })
    assert.deepEqual(parseRequestedScope('fax:fax:read all'), { granted: ['all'] })
    assert.deepEqual(parseRequestedScope('fax:fax:read  fax:fax:read fax:user:edit'), {
      granted: ['fax:fax:read', 'fax:user:edit'],
    })
  })

  it('answers the unknown names, case-sensitively (RFC 6749 §3.3)', () => {
    assert.deepEqual(parseRequestedScope('fax:fax:read FAX:FAX:READ nope'), {
      unknown: ['FAX:FAX:READ', 'nope'],
    })
  })
})
