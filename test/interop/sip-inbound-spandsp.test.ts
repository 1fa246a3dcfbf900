/**
 * A fax from spandsp to a number of faxd, over SIP: SIPp plays the trunk that brings the call
 * (test/interop/sipp/inbound-spandsp-to-faxd.xml), the spandsp peer is the calling fax machine
 * on the T.38 port SIPp's SDP names, and `faxd serve` answers as the SIP service. The fax must
 * appear through the API in the owner's inbox (`GET …/faxes?category=inbox`) with every page
 * pixel for pixel what spandsp sent, and the owner's `fax_received` hook must get a signed
 * delivery about it. The call is captured on the loopback interface (tshark, Debian), and the
 * capture must decode as SIP and T.38 with no malformed packet.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { createHmac } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { readTiff } from '../../src/codec/tiff-read.js'
import { differenceOf } from '../codec/pages.js'
import { faxTestPage, writeFaxTestTiff } from '../support/fax-pages.js'
import { type FaxdChild, startFaxdChild } from '../support/faxd-child.js'
import { aSenderWithToken } from '../support/operator-setup.js'
import { SIPP_SCENARIOS } from '../support/sip-trunk-call.js'
import { SIPP_EXIT, freeUdpPort, runSipp } from '../support/sipp.js'
import { startSpandspPeer } from '../support/spandsp-peer.js'
import { startReceiver } from '../webhooks/receiver.js'

const OUR_NUMBER = '+15555550150'
const CALLER = '+14155550123'

test('spandsp faxes a number of faxd through a SIP trunk: the inbox has its pages, and the hook is told', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'faxd-sip-inbound-'))
  const receiver = await startReceiver(200)
  let server: FaxdChild | null = null
  try {
    const pages = [
      faxTestPage({ paper: 'letter', resolution: 'fine', seed: 31 }),
      faxTestPage({ paper: 'a4', resolution: 'fine', seed: 32 }),
    ]
    const sentTiff = writeFaxTestTiff(join(folder, 'sent.tif'), pages)
    const mediaPort = await freeUdpPort()
    const sipPort = await freeUdpPort()
    const trunkPort = await freeUdpPort()
    const dataDir = join(folder, 'data')
    const token = await aSenderWithToken({ dataDir }, 'inbound@example.test', OUR_NUMBER)
    server = await startFaxdChild('serve', {
      FAXD_DATA: dataDir,
      DATABASE_URL: '',
      FAXD_WEBHOOK_ALLOW_PRIVATE: '1',
      FAXD_SIP_TRUNK: `127.0.0.1:${trunkPort}`,
      FAXD_SIP_LISTEN: `127.0.0.1:${sipPort}`,
      FAXD_SIP_MEDIA_PORTS: `${mediaPort}-${mediaPort}`,
    })
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server!.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return response
    }
    const hook = await api('POST', '/v3/hooks', { target: receiver.url(), event: 'fax_received' })
    assert.equal(hook.status, 200, await hook.clone().text())
    const hookId = ((await hook.json()) as { id: string }).id

    const spandspPort = await freeUdpPort()
    const capture = await startCapture(join(folder, 'call.pcap'), [
      sipPort,
      trunkPort,
      mediaPort,
      spandspPort,
    ])
    const spandsp = await startSpandspPeer({
      localPort: spandspPort,
      send: sentTiff,
      role: 'calling',
      remotePort: mediaPort,
      ident: '+1 415 555 0123',
      maxSeconds: 90,
    })
    const sipp = await runSipp({
      scenario: { file: join(SIPP_SCENARIOS, 'inbound-spandsp-to-faxd.xml') },
      localPort: trunkPort,
      remote: { host: '127.0.0.1', port: sipPort },
      service: OUR_NUMBER.slice(1),
      timeoutSeconds: 90,
      extraArgs: ['-set', 'hport', String(spandsp.port)],
    })
    const sent = await spandsp.done
    await capture.stop()
    assert.equal(
      sipp.exitCode,
      SIPP_EXIT.allCallsSucceeded,
      `${sipp.messageLog}\n${server.output()}`,
    )
    assert.equal(sent.exitCode, 0, `${sent.stderr}\n${server.output()}`)

    // The inbox, through the API: one fax, received, from the caller, with both pages.
    let fax: Record<string, unknown> | undefined
    for (let tries = 0; fax === undefined && tries < 100; tries++) {
      const list = (await (await api('GET', '/v3/accounts/self/faxes?category=inbox')).json()) as {
        data: { records: Record<string, unknown>[] }
      }
      fax = list.data.records[0]
      if (fax === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    assert.ok(fax !== undefined, `no fax in the inbox\n${server.output()}`)
    assert.equal(fax['status'], 'success')
    assert.equal(fax['pages'], 2)
    assert.equal(fax['from'], CALLER)
    assert.equal(fax['to'], OUR_NUMBER)
    assert.match(fax['description'] as string, /\+1 415 555 0123/)

    // Its pages, as stored: pixel for pixel what spandsp sent.
    const download = await api('GET', `/v3/accounts/self/files/${String(fax['id'])}?format=tiff`)
    assert.equal(download.status, 200)
    const received = readTiff(new Uint8Array(await download.arrayBuffer()))
    assert.equal(received.length, pages.length)
    received.forEach((page, index) => {
      assert.equal(differenceOf(page.bitmap, pages[index]!.bitmap), '', `page ${index + 1}`)
    })

    // The capture: SIP both ways and T.38 both ways, nothing malformed.
    const decode = async (filter: string): Promise<number> => {
      const { stdout } = await run('tshark', [
        '-r',
        capture.file,
        '-d',
        `udp.port==${sipPort},sip`,
        '-d',
        `udp.port==${trunkPort},sip`,
        '-d',
        `udp.port==${mediaPort},t38`,
        '-d',
        `udp.port==${spandsp.port},t38`,
        '-Y',
        filter,
        '-T',
        'fields',
        '-e',
        'frame.number',
      ])
      return stdout.split('\n').filter((line) => line.trim() !== '').length
    }
    // Every SIP message and every datagram faxd sent decodes cleanly. spandsp's own TCF ends
    // (t4-non-ecm-sig-end with data) draw Wireshark's reassembly note "received end of fragment
    // without any fragment data" on the reference peer's packets: that is spandsp's framing
    // meeting Wireshark's heuristics, and is left out.
    assert.equal(
      await decode(
        `(_ws.malformed || _ws.expert.severity >= error) && udp.srcport != ${spandsp.port}`,
      ),
      0,
    )
    assert.equal(await decode(`_ws.malformed && !t38`), 0)
    assert.ok((await decode('sip.Method == "INVITE"')) >= 2, 'the INVITE and the re-INVITE')
    assert.ok((await decode('sip.Method == "BYE"')) >= 1)
    assert.ok((await decode(`t38 && udp.srcport == ${mediaPort}`)) > 10, 'T.38 from faxd')
    assert.ok((await decode(`t38 && udp.srcport == ${spandsp.port}`)) > 100, 'T.38 from spandsp')

    // The hook, signed with its secret.
    for (let tries = 0; receiver.requests.length === 0 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const delivery = receiver.requests[0]
    assert.ok(delivery !== undefined, 'no fax_received delivery')
    const log = (await (await api('GET', `/v3/hooks/${hookId}/deliveries`)).json()) as {
      signing_secret: string
    }
    const timestamp = String(delivery.headers['x-faxd-timestamp'])
    const mac = createHmac('sha256', log.signing_secret)
      .update(`${timestamp}.`)
      .update(delivery.body)
      .digest('hex')
    assert.equal(delivery.headers['x-faxd-signature'], `v1=${mac}`)
    const payload = JSON.parse(delivery.body) as { data: Record<string, unknown> }
    assert.equal(payload.data['id'], fax['id'])
    assert.equal(payload.data['status'], 'success')
  } finally {
    await server?.stop()
    await receiver.close()
    await rm(folder, { recursive: true, force: true })
  }
})

const run = promisify(execFile)

/**
 * tshark capturing the call's UDP ports on the loopback interface into `file`; resolves once it
 * captures. "Capturing on" on its stderr comes before the capture filter is in place, and under
 * load the call's first INVITE went by unseen: so datagrams go to a port of the filter that
 * nothing decodes until tshark lists one (`-P`, one line per packet on stdout). They stay in the
 * file as plain UDP data. stop() ends it (SIGINT) and waits until the file is complete.
 */
async function startCapture(
  file: string,
  ports: readonly number[],
): Promise<{ readonly file: string; stop(): Promise<void> }> {
  const probePort = await freeUdpPort()
  const filter = [...ports, probePort].map((port) => `udp port ${port}`).join(' or ')
  const child = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file, '-q', '-P', '-l'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const probe = createSocket('udp4')
  const probing = setInterval(() => probe.send('probe', probePort, '127.0.0.1'), 100)
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve())
      child.once('error', (error) =>
        reject(new Error(`tshark (Debian package tshark): ${error.message}`)),
      )
      void closed.then(() => reject(new Error(`tshark ended before capturing:\n${stderr}`)))
    })
  } finally {
    clearInterval(probing)
    probe.close()
  }
  child.stdout.resume()
  return {
    file,
    stop: async () => {
      child.kill('SIGINT')
      await closed
    },
  }
}
