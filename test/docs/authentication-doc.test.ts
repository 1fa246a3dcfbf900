/**
 * docs/authentication.md stays true to the code: the scrypt cost, the throttle's numbers, the
 * password rules and the scopes it states are those the code applies, and the threat model is
 * there.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../src/domain/password-policy.js'
import { SCOPES } from '../../src/domain/scopes.js'
import {
  ACCOUNT_RULE,
  ADDRESS_RULE,
  PAIR_RULE,
  TRUSTED_ADDRESS_MS,
} from '../../src/domain/sign-in-throttle.js'
import { PASSWORD_HASH_COST } from '../../src/shared/secrets.js'

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'authentication.md')

/** "15 minutes", "1 hour": how the document writes a wait. */
function inWords(ms: number): string {
  const minutes = ms / 60_000
  return minutes % 60 === 0 && minutes / 60 === 1 ? '1 hour' : `${minutes} minutes`
}

describe('docs/authentication.md', () => {
  let text: string
  before(async () => {
    text = (await readFile(DOC, 'utf8')).replace(/\s+/g, ' ')
  })

  it('states the scrypt cost passwords are hashed at', () => {
    const { N, r, p } = PASSWORD_HASH_COST
    assert.ok(text.includes(`N = 2^${Math.log2(N)}`), `N = 2^${Math.log2(N)}`)
    assert.ok(text.includes(`r = ${r}, p = ${p}`))
    assert.ok(text.includes(`scrypt$N=${N},r=${r},p=${p}$salt$key`))
  })

  it("states the throttle's free failures and longest waits", () => {
    assert.ok(
      text.includes(
        `(${PAIR_RULE.freeFailures} free, then a wait of 1 s doubling to ${inWords(PAIR_RULE.maxWaitMs)})`,
      ),
    )
    assert.ok(
      text.includes(
        `(${ADDRESS_RULE.freeFailures} free, up to ${inWords(ADDRESS_RULE.maxWaitMs)})`,
      ),
    )
    assert.ok(
      text.includes(
        `(${ACCOUNT_RULE.freeFailures} free, up to ${inWords(ACCOUNT_RULE.maxWaitMs)})`,
      ),
    )
    assert.ok(text.includes(`in the last ${TRUSTED_ADDRESS_MS / 86_400_000} days`))
  })

  it('states the password lengths', () => {
    assert.ok(
      text.includes(
        `A new password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
      ),
    )
  })

  it('lists every scope', () => {
    for (const scope of SCOPES) {
      assert.ok(text.includes(`\`${scope}\``), scope)
    }
  })

  it('has a threat model: who, what they can do, and the answer', () => {
    assert.match(text, /## Threat model/)
    assert.match(text, /\| who \| can \| faxd's answer \|/)
    for (const who of [
      'Someone on the internet',
      'A malicious or careless OAuth2 application',
      'Someone who reads the logs',
    ]) {
      assert.ok(text.includes(who), who)
    }
  })
})
