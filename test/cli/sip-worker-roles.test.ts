/**
 * Who places calls when a SIP trunk is configured (docs/architecture.md, "The SIP service"):
 * the worker beside the SIP service (faxd serve's) takes send-fax jobs; a worker without it
 * (faxd worker) takes only renders and webhooks, so it never routes a trunk number to no
 * carrier. Without a trunk every worker takes every kind.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import { readConfig } from '../../src/config.js'
import { SipTrunk } from '../../src/carriers/sip/sip-trunk.js'
import { createWorker } from '../../src/main.js'
import { type TestApp, openTestApp } from '../support/test-app.js'

describe('the kinds of job a worker takes with and without a SIP trunk', () => {
  let t: TestApp
  const logger = pino({ level: 'silent' })
  const trunkConfig = readConfig({
    FAXD_SIP_TRUNK: '127.0.0.1:9',
    FAXD_SIP_LISTEN: '127.0.0.1:0',
    FAXD_SIP_PUBLIC_ADDRESS: '127.0.0.1',
  })

  before(async () => {
    t = await openTestApp()
  })
  after(async () => {
    await t.close()
  })

  it('without a trunk, a worker takes renders, calls and webhooks', () => {
    const worker = createWorker(t.services, readConfig({}), logger)
    assert.deepEqual([...worker.kinds].sort(), ['deliver-webhook', 'render-fax', 'send-fax'])
  })

  it('with a trunk, a worker without the SIP service leaves send-fax jobs alone', () => {
    const worker = createWorker(t.services, trunkConfig, logger, null)
    assert.deepEqual([...worker.kinds].sort(), ['deliver-webhook', 'render-fax'])
  })

  it('with a trunk, the worker beside the SIP service takes the calls', async () => {
    const sip = trunkConfig.sip
    assert.ok(sip !== null)
    const trunk = await SipTrunk.start(sip)
    try {
      const worker = createWorker(t.services, trunkConfig, logger, trunk)
      assert.deepEqual([...worker.kinds].sort(), ['deliver-webhook', 'render-fax', 'send-fax'])
    } finally {
      await trunk.stop()
    }
  })
})
