/**
 * The configuration as the environment gives it: the defaults, the worker's slots and the line
 * limits, and a clear error naming the variable for a value out of range.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError, readConfig } from '../../src/config.js'

describe('readConfig', () => {
  it('has the documented defaults for the worker slots and the line limits', () => {
    const config = readConfig({})
    assert.deepEqual(config.workerSlots, { calls: 4, renders: 1, webhooks: 4 })
    assert.deepEqual(config.callLimits, { perDestination: 1, perSendingNumber: 4 })
    assert.equal(config.embeddedWorker, true)
    assert.equal(config.jobLeaseMs, 60_000)
  })

  it('reads them from the environment', () => {
    const config = readConfig({
      FAXD_WORKER_CALLS: '16',
      FAXD_WORKER_RENDERS: '2',
      FAXD_WORKER_WEBHOOKS: '8',
      FAXD_CALLS_PER_DESTINATION: '3',
      FAXD_CALLS_PER_SENDING_NUMBER: '30',
      FAXD_JOB_LEASE_SECONDS: '10',
    })
    assert.deepEqual(config.workerSlots, { calls: 16, renders: 2, webhooks: 8 })
    assert.deepEqual(config.callLimits, { perDestination: 3, perSendingNumber: 30 })
    assert.equal(config.jobLeaseMs, 10_000)
  })

  for (const [name, value] of [
    ['FAXD_WORKER_CALLS', '0'],
    ['FAXD_WORKER_RENDERS', '1.5'],
    ['FAXD_CALLS_PER_DESTINATION', 'many'],
    ['FAXD_CALLS_PER_SENDING_NUMBER', '-1'],
    ['FAXD_JOB_LEASE_SECONDS', '2'],
  ] as const) {
    it(`refuses ${name}=${value}, naming the variable and the range`, () => {
      assert.throws(
        () => readConfig({ [name]: value }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.startsWith(`${name} must be a whole number from `) &&
          error.message.endsWith(`not "${value}"`),
      )
    })
  }
})

describe('FAXD_SANDBOX', () => {
  it('is bubblewrap unless the operator says none', () => {
    assert.equal(readConfig({}).rendering.sandbox, 'bubblewrap')
    assert.equal(readConfig({ FAXD_SANDBOX: 'none' }).rendering.sandbox, 'none')
  })

  it('refuses anything else, naming the choices', () => {
    assert.throws(
      () => readConfig({ FAXD_SANDBOX: 'off' }),
      /FAXD_SANDBOX must be bubblewrap or none, not "off"/,
    )
  })
})
