/**
 * faxd on a SIP trunk, each outcome against real peers: SIPp as the trunk (one scenario file
 * per outcome, test/interop/sipp/trunk-*.xml) and, where the call reaches T.38, the spandsp
 * peer as the far fax machine. Each fax is sent through the API and its status read back
 * through the API.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SIPP_EXIT } from '../support/sipp.js'
import { trunkCall } from '../support/sip-trunk-call.js'

describe('faxd through a SIP trunk (SIPp) to spandsp', { concurrency: true }, () => {
  it('far end answers with audio, then re-INVITEs to T.38: success', async () => {
    const call = await trunkCall({ scenario: 'trunk-audio-then-reinvite-t38.xml', spandsp: {} })
    assert.equal(
      call.fax['status'],
      'success',
      `${JSON.stringify(call.fax)}\n${call.faxdOutput}\n${call.sipp.messageLog}`,
    )
    assert.equal(call.sipp.exitCode, SIPP_EXIT.allCallsSucceeded, call.sipp.errorLog)
    assert.equal(call.spandsp?.exitCode, 0, call.spandsp?.stderr)
  })
})
