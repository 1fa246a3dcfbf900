/**
 * Fuzzing faxd's SIP port: `faxd serve` runs in a child process with a SIP trunk configured,
 * and one UDP socket sends it seeded mutations (test/telephony/sip/sip-mutations.ts) of a fax
 * call's messages (test/telephony/sip/sip-samples.ts), a quarter of them INVITEs whose SDP body
 * alone is mutated. Every message gets its own Call-ID and branch, so that what comes back can
 * be told apart; they go in bursts, each followed by an OPTIONS whose answer we wait for, so
 * that the socket buffers drop none. A final answer to an INVITE is acknowledged, as a trunk
 * would, so that faxd stops retransmitting it.
 * Afterwards the process still runs and its API answers; every datagram it sent back parses as
 * a SIP response; each INVITE that parses as a new call got a final answer (nobody owns the
 * numbers, so a refusal); and a well-formed OPTIONS still gets 200.
 * Before the fuzzing, a control group of requests that are well-formed but for one header line
 * must each be answered 400 (RFC 3261 §21.4.1), and one of version SIP/3.0 505 (§21.5.7).
 * 3,000 messages in `npm test`, 30,000 in `npm run test:stress` (FUZZ_SIP_MESSAGES); the seed
 * is fixed and printed, and FUZZ_SEED picks another.
 */
import assert from 'node:assert/strict'
import { createSocket, type Socket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { parseNameAddr } from '../../src/telephony/sip/sip-headers.js'
import {
  checkMandatoryHeaders,
  parseSipMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../src/telephony/sip/sip-message.js'
import { type FaxdChild, startFaxdChild } from '../support/faxd-child.js'
import { seededRandom, type SeededRandom } from '../support/seeded-random.js'
import { freeUdpPort } from '../support/sipp.js'
import { printStressSizes, stressSize } from '../support/stress-size.js'
import { mutate } from '../telephony/sip/sip-mutations.js'
import { AUDIO_OFFER, INVITE, SAMPLES, T38_OFFER, octets } from '../telephony/sip/sip-samples.js'
import { printCounts, tally } from './tally.js'

/** The same messages on every run, so that CI is deterministic; FUZZ_SEED explores others. */
const DEFAULT_SEED = 5060
const SEED = Number(process.env['FUZZ_SEED'] ?? DEFAULT_SEED)
const MESSAGES = stressSize('fuzzSipMessages')

/**
 * Messages sent back to back, far below what a socket buffer holds; after each burst an OPTIONS
 * whose 200 shows that faxd has read the burst (it reads its socket in order).
 */
const BURST = 50
/** How long the answers may take to come: a hang detector, not a measurement. */
const ANSWER_DEADLINE_MS = 30_000
/** Examples of a failure printed in full. */
const SHOWN = 5

interface Received {
  readonly response: SipResponse
  readonly callId: string | undefined
}

test(
  'faxd serve keeps serving its SIP port under mutated messages, and answers only SIP responses',
  { timeout: 300_000 },
  async (t) => {
    printStressSizes(t, ['fuzzSipMessages'])
    t.diagnostic(
      `seed ${SEED}; replay with FUZZ_SEED=${SEED} node --import tsx --test test/fuzz/sip-port.fuzz.test.ts`,
    )
    const startedAt = performance.now()
    const folder = await mkdtemp(join(tmpdir(), 'faxd-sip-fuzz-'))
    const socket = createSocket('udp4')
    const received: Received[] = []
    const garbage: string[] = []
    /** The new calls sent, by Call-ID, to acknowledge their final answers. */
    const invites = new Map<string, SipRequest>()
    const acknowledged = new Set<string>()
    let ourPort = 0
    let sipPort = 0
    socket.on('message', (data) => {
      let message: SipMessage
      try {
        message = parseSipMessage(data)
      } catch {
        garbage.push(data.toString('latin1'))
        return
      }
      if (message.kind !== 'response') {
        garbage.push(data.toString('latin1'))
        return
      }
      const callId = message.headers.get('Call-ID')
      received.push({ response: message, callId })
      const invite = invites.get(callId ?? '')
      if (invite !== undefined && message.status >= 300 && !acknowledged.has(callId ?? '')) {
        acknowledged.add(callId ?? '')
        void sendTo(socket, ackFor(invite, message), sipPort)
      }
    })
    const dropsBefore = udpReceiveBufferErrors()
    let server: FaxdChild | null = null
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject)
        socket.bind(0, '127.0.0.1', resolve)
      })
      socket.setRecvBufferSize(4 * 1024 * 1024)
      ourPort = socket.address().port
      sipPort = await freeUdpPort()
      const trunkPort = await freeUdpPort()
      const mediaPort = await freeUdpPort()
      server = await startFaxdChild('serve', {
        FAXD_DATA: join(folder, 'data'),
        DATABASE_URL: '',
        FAXD_SIP_TRUNK: `127.0.0.1:${trunkPort}`,
        FAXD_SIP_LISTEN: `127.0.0.1:${sipPort}`,
        FAXD_SIP_MEDIA_PORTS: `${mediaPort}-${mediaPort}`,
      })
      const send = (data: Uint8Array) => sendTo(socket, data, sipPort)
      const statusesOf = (callId: string) =>
        received.filter((r) => r.callId === callId).map((r) => r.response.status)

      // ---- control group: one malformed header line each → 400; SIP/3.0 → 505 ----------
      const controls = controlGroup(ourPort, sipPort)
      for (const control of controls) {
        await send(octets(control.text))
      }
      await waitFor(
        () => controls.every((control) => statusesOf(control.callId).length > 0),
        ANSWER_DEADLINE_MS,
      )
      const answers = (group: readonly Control[]) =>
        Object.fromEntries(
          group.map((control) => [control.name, [...new Set(statusesOf(control.callId))]]),
        )
      const expectations = (group: readonly Control[]) =>
        Object.fromEntries(group.map((control) => [control.name, [control.status]]))
      const answered = answers(controls)

      // ---- the fuzz -----------------------------------------------------------------------
      const rand = seededRandom(SEED)
      const samples = Object.values(SAMPLES)
      const callIdsSent = new Map<string, number>()
      /** INVITEs that parse as new calls: each must get a final answer. */
      const newCalls: { callId: string; text: string }[] = []
      const pings: string[] = []
      let sdpCases = 0
      for (let run = 0; run < MESSAGES; run++) {
        let data: Uint8Array
        if (rand.chance(0.25)) {
          sdpCases++
          data = inviteWithMutatedSdp(run, rand)
        } else {
          data = mutate(octets(personalised(rand.pick(samples), run)), rand)
        }
        const invite = newCallOf(data)
        if (invite !== null) {
          const callId = invite.headers.get('Call-ID') ?? ''
          callIdsSent.set(callId, (callIdsSent.get(callId) ?? 0) + 1)
          newCalls.push({ callId, text: new TextDecoder().decode(data) })
          invites.set(callId, invite)
        }
        await send(data)
        if (run % BURST === BURST - 1 || run === MESSAGES - 1) {
          const ping = wellFormedOptions(ourPort, sipPort, `ping-${run}`)
          pings.push(ping.callId)
          await send(octets(ping.text))
          await waitFor(() => statusesOf(ping.callId).length > 0, ANSWER_DEADLINE_MS)
        }
      }
      const sentIn = (performance.now() - startedAt) / 1000
      // A Call-ID two mutations happened to share is not checked: its answers are ambiguous.
      const checked = newCalls.filter((call) => callIdsSent.get(call.callId) === 1)
      const finalOf = (callId: string) => statusesOf(callId).find((status) => status >= 200)
      await waitFor(
        () => checked.every((call) => finalOf(call.callId) !== undefined),
        ANSWER_DEADLINE_MS,
      )

      // ---- afterwards: still serving -------------------------------------------------------
      const options = wellFormedOptions(ourPort, sipPort, 'after-fuzz')
      await send(octets(options.text))
      await waitFor(() => statusesOf(options.callId).length > 0, ANSWER_DEADLINE_MS)
      const health = await fetch(`${server.url}/healthz`)

      // ---- report, then assert ----------------------------------------------------------------
      const byStatus = new Map<string, number>()
      for (const { response } of received) {
        tally(byStatus, `${response.status} to ${cseqMethod(response)}`)
      }
      printCounts(t, `${received.length} responses, by status and method:`, byStatus)
      const finals = new Map<string, number>()
      for (const call of checked) {
        tally(finals, String(finalOf(call.callId) ?? 'none'))
      }
      printCounts(t, `final answers to the ${checked.length} INVITEs that are new calls:`, finals)
      const unansweredPings = pings.filter((ping) => statusesOf(ping).join() !== '200')
      t.diagnostic(
        `${MESSAGES} messages (${sdpCases} with a mutated SDP) sent in ${sentIn.toFixed(1)} s; ` +
          `${garbage.length} datagrams that are not SIP responses; ` +
          `${acknowledged.size} final answers acknowledged; ` +
          `${udpReceiveBufferErrors() - dropsBefore} UDP datagrams dropped on this host; ` +
          `${((performance.now() - startedAt) / 1000).toFixed(1)} s in all`,
      )

      assert.equal(server.exit(), null, `faxd exited:\n${server.output().slice(-4000)}`)
      assert.equal(health.status, 200, await health.text())
      assert.deepEqual(
        garbage.slice(0, SHOWN),
        [],
        `${garbage.length} datagrams from faxd are not SIP responses`,
      )
      assert.deepEqual(
        answered,
        expectations(controls),
        'the control group: malformed requests → 400, 505',
      )
      assert.deepEqual(
        unansweredPings.slice(0, SHOWN),
        [],
        `${unansweredPings.length} of the ${pings.length} OPTIONS between bursts not answered 200 once`,
      )
      const unanswered = checked.filter((call) => finalOf(call.callId) === undefined)
      assert.deepEqual(
        unanswered.slice(0, SHOWN).map((call) => call.text),
        [],
        `${unanswered.length} of ${checked.length} new INVITEs got no final answer`,
      )
      const accepted = checked.filter((call) => (finalOf(call.callId) ?? 0) < 300)
      assert.deepEqual(
        accepted.slice(0, SHOWN).map((call) => call.text),
        [],
        `${accepted.length} INVITEs to numbers nobody owns were answered 2xx`,
      )
      // Enough of them to mean something.
      assert.ok(checked.length > MESSAGES * 0.05, `only ${checked.length} new INVITEs`)
      assert.deepEqual(statusesOf(options.callId), [200], 'OPTIONS after the fuzz')
    } finally {
      socket.close()
      await server?.stop()
      await rm(folder, { recursive: true, force: true })
    }
  },
)

async function sendTo(socket: Socket, data: Uint8Array, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    socket.send(data, port, '127.0.0.1', (error) => (error ? reject(error) : resolve()))
  })
}

/** Polls `done` until it holds or `deadlineMs` passed; the assertions after it tell what is missing. */
async function waitFor(done: () => boolean, deadlineMs: number): Promise<void> {
  const until = performance.now() + deadlineMs
  while (!done() && performance.now() < until) {
    await delay(20)
  }
}

/** A sample with a Call-ID and branch of this run's own, that no single mutation turns into another's. */
function personalised(sample: string, run: number): string {
  return sample
    .replace(/^Call-ID: .*$/gm, `Call-ID: fuzz-${run}-${run}@fuzz.test`)
    .replaceAll('branch=z9hG4bK', `branch=z9hG4bK${run}x${run}`)
}

/** The sample INVITE (audio or T.38 offer) with only its SDP mutated, Content-Length to match. */
function inviteWithMutatedSdp(run: number, rand: SeededRandom): Uint8Array {
  const head = personalised(INVITE, run).split('\r\n\r\n')[0] ?? ''
  const body = mutate(octets(rand.pick([AUDIO_OFFER, T38_OFFER])), rand)
  const lines = head.replace(/^Content-Length: .*$/m, `Content-Length: ${body.length}`)
  return Uint8Array.from([...octets(`${lines}\r\n\r\n`), ...body])
}

/**
 * The Call-ID of a new call, if `data` is one by our own parser: an INVITE with good mandatory
 * headers, no To tag, and no Require (faxd answers an unknown option tag 420, as it should).
 */
function newCallOf(data: Uint8Array): SipRequest | null {
  try {
    const message = parseSipMessage(data)
    checkMandatoryHeaders(message)
    if (
      message.kind !== 'request' ||
      message.method !== 'INVITE' ||
      message.headers.has('Require') ||
      parseNameAddr(message.headers.get('To') ?? '').tag !== undefined
    ) {
      return null
    }
    return message
  } catch {
    return null
  }
}

/** §17.1.1.3: the ACK of a non-2xx final answer, in the INVITE's transaction. */
function ackFor(invite: SipRequest, response: SipResponse): Uint8Array {
  const lines = [
    `ACK ${invite.uri} SIP/2.0`,
    `Via: ${invite.headers.getAll('Via')[0] ?? ''}`,
    'Max-Forwards: 70',
    `From: ${invite.headers.get('From') ?? ''}`,
    `To: ${response.headers.get('To') ?? ''}`,
    `Call-ID: ${invite.headers.get('Call-ID') ?? ''}`,
    `CSeq: ${(invite.headers.get('CSeq') ?? '').trim().split(/\s+/)[0] ?? ''} ACK`,
    'Content-Length: 0',
  ]
  return octets(`${lines.join('\r\n')}\r\n\r\n`)
}

/** UDP datagrams this host dropped for a full receive buffer so far (Linux; 0 elsewhere). */
function udpReceiveBufferErrors(): number {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('Udp:'))
    const names = (lines[0] ?? '').split(/\s+/)
    const values = (lines[1] ?? '').split(/\s+/)
    return Number(values[names.indexOf('RcvbufErrors')] ?? 0)
  } catch {
    return 0
  }
}

/** The CSeq's method, or `another method` for one a mutation made up. */
function cseqMethod(response: SipResponse): string {
  const method = (response.headers.get('CSeq') ?? '').trim().split(/\s+/)[1] ?? ''
  return ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER'].includes(method)
    ? method
    : 'another method'
}

interface Control {
  readonly name: string
  readonly callId: string
  readonly text: string
  readonly status: number
}

function request(
  ourPort: number,
  sipPort: number,
  name: string,
  options: { method?: string; version?: string; lines?: readonly string[]; body?: string } = {},
): { callId: string; text: string } {
  const method = options.method ?? 'OPTIONS'
  const callId = `control-${name.replace(/[^a-z0-9]+/gi, '-')}@fuzz.test`
  const lines = [
    `${method} sip:+15555550100@127.0.0.1:${sipPort} ${options.version ?? 'SIP/2.0'}`,
    `Via: SIP/2.0/UDP 127.0.0.1:${ourPort};branch=z9hG4bK-${callId.replace('@', '-')};rport`,
    'Max-Forwards: 70',
    'From: <sip:fuzz@127.0.0.1>;tag=c0ntrol',
    'To: <sip:+15555550100@127.0.0.1>',
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
  ]
  // An extra line replaces the line of its name (a second Via is added, as Via may repeat).
  for (const extra of options.lines ?? []) {
    const name = extra.split(':')[0] ?? ''
    const at = lines.findIndex((line) => name !== 'Via' && line.startsWith(`${name}:`))
    lines.splice(at === -1 ? lines.length : at, at === -1 ? 0 : 1, extra)
  }
  if (!lines.some((line) => line.startsWith('Content-Length:'))) {
    lines.push(`Content-Length: ${octets(options.body ?? '').length}`)
  }
  return { callId, text: `${lines.join('\r\n')}\r\n\r\n${options.body ?? ''}` }
}

function wellFormedOptions(ourPort: number, sipPort: number, name: string) {
  return request(ourPort, sipPort, name)
}

/** Requests well-formed but for one header line, each of which is due a 400; and a SIP/3.0. */
function controlGroup(ourPort: number, sipPort: number): Control[] {
  const bad = (name: string, lines: readonly string[], method = 'OPTIONS'): Control => ({
    name,
    status: 400,
    ...request(ourPort, sipPort, name, { method, lines }),
  })
  return [
    bad('Content-Length: abc', ['Content-Length: abc']),
    bad('Content-Length: -1', ['Content-Length: -1']),
    bad('Content-Length beyond the datagram', ['Content-Length: 99999']),
    bad('a second Via with no sent-by', ['Via: SIP/2.0/UDP ;branch=z9hG4bKnosentby']),
    bad('a second Via with no transport', ['Via: SIP/2.0']),
    bad('Max-Forwards: abc', ['Max-Forwards: abc']),
    bad('a header line with no colon', ['Subject hello']),
    bad('a header name with a space', ['Bad Header: x']),
    bad(
      'INVITE, Contact with an unterminated quote',
      ['Contact: "unterminated <sip:a@b>'],
      'INVITE',
    ),
    bad('INVITE, Session-Expires: abc', ['Session-Expires: abc'], 'INVITE'),
    bad('INVITE, Expires: soon', ['Expires: soon'], 'INVITE'),
    {
      name: 'version SIP/3.0',
      status: 505,
      ...request(ourPort, sipPort, 'version SIP/3.0', { version: 'SIP/3.0' }),
    },
  ]
}
