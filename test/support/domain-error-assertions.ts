/** Assertion that a promise fails with a DomainError of one code. */
import assert from 'node:assert/strict'
import { DomainError, type DomainErrorCode } from '../../src/domain/domain-error.js'

export async function assertRejectsWithCode(
  promise: Promise<unknown>,
  code: DomainErrorCode,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DomainError, `expected a DomainError, got ${String(error)}`)
    assert.equal(error.code, code)
    return true
  })
}
