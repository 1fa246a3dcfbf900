/**
 * dialog.ts and request-factory.ts against SIPp's built-in `uas` over UDP on loopback: an
 * INVITE made by newInvite, SIPp's 200, a Dialog from it, the dialog's ACK and BYE, and SIPp
 * must count the call as successful. As in sip-messages-sipp.test.ts there are no transactions
 * here: a request is resent every T1 until a response comes.
 */
import assert from 'node:assert/strict'
import { type RemoteInfo, type Socket, createSocket } from 'node:dgram'
import { test } from 'node:test'
import { Dialog } from '../../src/telephony/sip/dialog.js'
import { formatSdp } from '../../src/telephony/sip/sdp.js'
import {
  audioOffer,
  createLocalDescription,
  localSessionDescription,
} from '../../src/telephony/sip/sdp-offer-answer.js'
import {
  type SipMessage,
  type SipRequest,
  type SipResponse,
  checkMandatoryHeaders,
  parseSipMessage,
  serializeSipMessage,
} from '../../src/telephony/sip/sip-message.js'
import { newInvite } from '../../src/telephony/sip/request-factory.js'
import { startSipp } from '../support/sipp.js'

const HOST = '127.0.0.1'
const RESEND_MS = 500
const RESPONSE_TIMEOUT_MS = 4000

async function openSocket(): Promise<Socket> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, HOST, () => {
      socket.off('error', reject)
      resolve()
    })
  })
  return socket
}

/** Sends `request` (again every RESEND_MS until any response) and waits for its final one. */
function transact(
  socket: Socket,
  request: SipRequest,
  port: number,
  seen: SipResponse[],
  rejected: string[],
): Promise<SipResponse> {
  const octets = serializeSipMessage(request)
  const callId = request.headers.get('Call-ID')
  const cseq = request.headers.get('CSeq')
  return new Promise<SipResponse>((resolve, reject) => {
    let answered = false
    const resend = setInterval(() => {
      if (!answered) {
        socket.send(octets, port, HOST)
      }
    }, RESEND_MS)
    const timeout = setTimeout(() => {
      finish()
      reject(new Error(`no final response to ${request.method}`))
    }, RESPONSE_TIMEOUT_MS)
    const finish = (): void => {
      clearInterval(resend)
      clearTimeout(timeout)
      socket.off('message', onMessage)
    }
    const onMessage = (datagram: Buffer, _from: RemoteInfo): void => {
      let message: SipMessage
      try {
        message = parseSipMessage(datagram)
        checkMandatoryHeaders(message)
      } catch (error) {
        rejected.push(`${(error as Error).message}\n${datagram.toString('latin1')}`)
        return
      }
      if (
        message.kind !== 'response' ||
        message.headers.get('Call-ID') !== callId ||
        message.headers.get('CSeq') !== cseq
      ) {
        return
      }
      answered = true
      seen.push(message)
      if (message.status >= 200) {
        finish()
        resolve(message)
      }
    }
    socket.on('message', onMessage)
    socket.send(octets, port, HOST)
  })
}

test('an INVITE from newInvite, then the Dialog’s ACK and BYE, complete a call with SIPp uas', async () => {
  const socket = await openSocket()
  const port = socket.address().port
  try {
    // SIPp's uas waits 4 s (<timewait>) after the 200 to the BYE before counting the call.
    const sipp = await startSipp({ scenario: { builtIn: 'uas' }, calls: 1, timeoutSeconds: 8 })
    const offer = createLocalDescription({
      sessionId: 1n,
      connection: { addressType: 'IP4', address: HOST },
      media: [audioOffer(40_000)],
    })
    const target = `sip:service@${HOST}:${sipp.port}`
    const invite = newInvite({
      requestUri: target,
      from: { uri: `sip:faxd@${HOST}:${port}`, displayName: 'faxd' },
      to: { uri: target },
      contact: `sip:faxd@${HOST}:${port}`,
      localVia: { host: HOST, port, transport: 'UDP', rport: true },
      body: new TextEncoder().encode(formatSdp(localSessionDescription(offer))),
    })
    const seen: SipResponse[] = []
    const rejected: string[] = []
    const ok = await transact(socket, invite, sipp.port, seen, rejected)
    assert.equal(ok.status, 200, `INVITE answered ${ok.status} ${ok.reason}`)

    const dialog = Dialog.fromInviteResponse(invite, ok)
    assert.equal(dialog.id.callId, invite.headers.get('Call-ID'))
    assert.ok(dialog.id.remoteTag !== undefined, 'SIPp tagged its 200')
    assert.match(dialog.remoteTarget, /^sip:/)
    socket.send(serializeSipMessage(dialog.createAck(invite)), sipp.port, HOST)

    const bye = dialog.createRequest('BYE')
    const byeOk = await transact(socket, bye, sipp.port, seen, rejected)
    assert.equal(byeOk.status, 200, `BYE answered ${byeOk.status} ${byeOk.reason}`)
    dialog.receiveResponse(bye, byeOk)
    dialog.terminate()

    const result = await sipp.done
    const context = `\n--- SIPp errors ---\n${result.errorLog}\n--- SIPp screen ---\n${result.screen}`
    assert.equal(result.exitCode, 0, `SIPp exit code${context}`)
    assert.deepEqual(result.stats, { successful: 1, failed: 0 }, `SIPp statistics${context}`)
    assert.deepEqual(rejected, [], 'every datagram from SIPp parses and checks')
    assert.deepEqual(
      seen.map((r) => r.status),
      [180, 200, 200],
    )
    assert.match(result.messageLog, /^ACK sip:/m, 'SIPp logged our ACK')
    assert.match(result.messageLog, /^CSeq: 2 BYE/m, 'SIPp logged the BYE with the next CSeq')
  } finally {
    socket.close()
  }
})
