/**
 * One fax through `faxd serve` on a SIP trunk, against real peers: SIPp plays the trunk and the
 * far end's signalling (a scenario file of test/interop/sipp/), and the spandsp peer
 * (spandsp-peer.ts) is the far fax machine on the media port the scenario's SDP names
 * (`-set hport N`). faxd's T.38 streams are pinned to one port (FAXD_SIP_MEDIA_PORTS=P-P) so
 * the spandsp peer can be pointed at it. The fax goes in through the API
 * (upload, sendFax) and its record is read back through the API until it has a final status.
 * trunkCall starts a faxd for the one call; SharedTrunk lets calls that need no settings of
 * their own take turns on one.
 *
 * The spandsp peer starts once faxd's call has begun (the outbox entry is `sending`), on the
 * port SIPp was given: its T.30 clock runs from its start, and an answering spandsp that hears
 * nothing gives up after about 20 s (measured: T30_ERR_RETRYDCN, "Disconnected after
 * permitted retries"). Started before faxd, it could give up while faxd is still starting and
 * rendering on a loaded machine. faxd, the calling side, waits T1 (35 s) for the answerer's
 * DIS, so a peer that starts a few hundred ms after the T.38 stream is agreed costs nothing.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type FaxdChild, startFaxdChild } from './faxd-child.js'
import { apiClient } from './api-client.js'
import { aSenderWithToken } from './operator-setup.js'
import { type SippResult, type SippRun, freeUdpPort, startSipp } from './sipp.js'
import { type SpandspPeer, type SpandspPeerResult, startSpandspPeer } from './spandsp-peer.js'

export const SIPP_SCENARIOS = join(import.meta.dirname, '..', 'interop', 'sipp')

/** Our sending number, and a number on the trunk (not one of the simulated test numbers). */
export const FROM = '+15555550150'
export const TO = '+14155550123'

export interface TrunkCallOptions {
  /** The scenario file's name in test/interop/sipp/. */
  readonly scenario: string
  /** The far fax machine; none for scenarios that never reach T.38. */
  readonly spandsp?: { readonly ecm?: boolean }
  /** More environment for faxd serve (FAXD_SIP_USER…). */
  readonly env?: Readonly<Record<string, string>>
  /** The text to fax, one page per form feed. */
  readonly text?: string
  /** sendFax's `to`. Default TO. */
  readonly to?: string
  /**
   * SIPp's -timeout, seconds, from the moment faxd is ready: the render and the call. Default
   * 120 (a one-page T.38 call takes 20 s, but a render took up to 40 s when every case of
   * sip-trunk-sipp.test.ts started its own faxd at once on two cores).
   */
  readonly sippTimeoutSeconds?: number
  /** How long to wait for a final status after sendFax. Default 120 s. */
  readonly finalWithinMs?: number
  /**
   * Run once the fax's call has begun (its outbox entry is `sending`), with faxd's SIP port and
   * the trunk's SIPp run (its message log shows what faxd has sent so far).
   */
  readonly whileCalling?: (call: {
    readonly sipPort: number
    readonly trunk: SippRun
  }) => Promise<void>
}

export interface TrunkCallResult {
  /** The fax record as GET /faxes/{id} gives it. */
  readonly fax: Record<string, unknown>
  readonly sipp: SippResult
  readonly spandsp: SpandspPeerResult | null
  /** faxd's logs, for failure messages. */
  readonly faxdOutput: string
  /** The TIFF spandsp wrote of what it received; null without a spandsp peer (or no file). */
  readonly receivedTiff: Uint8Array | null
  /** The fax's pages (page_count of its outbox entry as the call began); null if not seen. */
  readonly pageCount: number | null
  /**
   * The fax's document as faxd stores it (GET …/files/{id}?format=tiff: the pages it sends),
   * for faxes that ended with pages; null otherwise.
   */
  readonly sentDocument: Uint8Array | null
}

/** How long the spandsp peer may go on after faxd's final status and SIPp's end. */
const SPANDSP_END_GRACE_MS = 10_000

const IN_PROGRESS = new Set(['queued', 'converting', 'scheduled', 'sending', 'in_progress'])

/** `faxd serve` on a trunk whose address is SIPp's port, for one call or several in turn. */
interface TrunkServer {
  readonly folder: string
  readonly server: FaxdChild
  readonly token: string
  /** faxd's SIP port. */
  readonly sipPort: number
  /** faxd's one T.38 port (FAXD_SIP_MEDIA_PORTS=P-P), for the spandsp peer. */
  readonly mediaPort: number
  /** The trunk's port, where SIPp listens during each call. */
  readonly sippPort: number
}

async function startTrunkServer(env: Readonly<Record<string, string>>): Promise<TrunkServer> {
  const folder = await mkdtemp(join(tmpdir(), 'faxd-sip-trunk-'))
  try {
    const mediaPort = await freeUdpPort()
    const sipPort = await freeUdpPort()
    // SIPp starts once faxd is ready (faxd sends nothing to the trunk before the fax), so that
    // its -timeout counts the call, not faxd's start, which takes long on a loaded machine.
    const sippPort = await freeUdpPort()
    const dataDir = join(folder, 'data')
    const token = await aSenderWithToken({ dataDir }, 'trunk@example.test', FROM)
    const server = await startFaxdChild('serve', {
      FAXD_DATA: dataDir,
      DATABASE_URL: '',
      FAXD_SIP_TRUNK: `127.0.0.1:${sippPort}`,
      FAXD_SIP_LISTEN: `127.0.0.1:${sipPort}`,
      FAXD_SIP_MEDIA_PORTS: `${mediaPort}-${mediaPort}`,
      ...env,
    })
    return { folder, server, token, sipPort, mediaPort, sippPort }
  } catch (error) {
    await rm(folder, { recursive: true, force: true })
    throw error
  }
}

async function stopTrunkServer(trunk: TrunkServer): Promise<void> {
  await trunk.server.stop()
  await rm(trunk.folder, { recursive: true, force: true })
}

/** One fax through a `faxd serve` of its own, started with `options.env`. */
export async function trunkCall(options: TrunkCallOptions): Promise<TrunkCallResult> {
  const trunk = await startTrunkServer(options.env ?? {})
  try {
    return await callThrough(trunk, options)
  } finally {
    await stopTrunkServer(trunk)
  }
}

/**
 * One `faxd serve` for the calls that need no settings of their own, made one after another:
 * its trunk is one address, where each call's SIPp listens in turn, and its T.38 port is
 * pinned. Each call still has its own SIPp, spandsp peer and fax; what it spares is a server's
 * start and store (about a second of CPU each). A call that fails takes the server with it, so
 * that the next call starts on a fresh one rather than behind whatever the failure left.
 */
export class SharedTrunk {
  #server: Promise<TrunkServer> | undefined
  #turns: Promise<unknown> = Promise.resolve()

  /** trunkCall on this server, once the calls queued before it have ended. */
  call(options: Omit<TrunkCallOptions, 'env'>): Promise<TrunkCallResult> {
    const turn = this.#turns.then(async () => {
      this.#server ??= startTrunkServer({})
      const trunk = await this.#server.catch((error: unknown) => {
        this.#server = undefined
        throw error
      })
      try {
        return await callThrough(trunk, options)
      } catch (error) {
        this.#server = undefined
        await stopTrunkServer(trunk)
        throw error
      }
    })
    this.#turns = turn.catch(() => undefined)
    return turn
  }

  /** Stops the server once the queued calls have ended. */
  async close(): Promise<void> {
    await this.#turns
    const trunk = await this.#server
    this.#server = undefined
    if (trunk !== undefined) {
      await stopTrunkServer(trunk)
    }
  }
}

/** Calls made through callThrough so far, for file names of their own. */
let callsMade = 0

async function callThrough(
  trunk: TrunkServer,
  options: TrunkCallOptions,
): Promise<TrunkCallResult> {
  const { server, token, sipPort, mediaPort, sippPort } = trunk
  callsMade += 1
  const receivedTiff = join(trunk.folder, `received-${callsMade}.tif`)
  // The spandsp peer's port, for the scenario's SDP; the peer binds it once the call is on.
  const spandspPort = options.spandsp === undefined ? null : await freeUdpPort()
  let spandsp: SpandspPeer | null = null
  let sipp: SippRun | null = null
  try {
    sipp = await startSipp({
      scenario: { file: join(SIPP_SCENARIOS, options.scenario) },
      localPort: sippPort,
      timeoutSeconds: options.sippTimeoutSeconds ?? 120,
      // Only a scenario with a far fax machine declares hport: SIPp refuses to set a global
      // variable the scenario does not have.
      extraArgs: spandspPort === null ? [] : ['-set', 'hport', String(spandspPort)],
    })
    const api = apiOf(server.url, token)
    const file = await api.upload(options.text ?? 'A fax over a SIP trunk.\n')
    const sent = await api.json('POST', '/v3/accounts/self/outbox', {
      from: FROM,
      to: [options.to ?? TO],
      files: [file],
      return_ids: true,
    })
    assert.equal(sent.status, 201, JSON.stringify(sent.body))
    const id = (sent.body['ids'] as Record<string, string>)[options.to ?? TO]
    assert.ok(id !== undefined, JSON.stringify(sent.body))
    const deadline = Date.now() + (options.finalWithinMs ?? 120_000)
    let fax: Record<string, unknown> = {}
    // The outbox entry once its call has begun (a short call may end between two looks).
    let calling: Record<string, unknown> | null = null
    for (;;) {
      if (calling === null) {
        const entry = await outboxEntry(api)
        calling = entry?.['status'] === 'sending' ? entry : null
        if (calling !== null && options.whileCalling !== undefined) {
          await options.whileCalling({ sipPort, trunk: sipp })
        }
        if (calling !== null && spandspPort !== null) {
          spandsp = await startSpandspPeer({
            receive: receivedTiff,
            role: 'answering',
            localPort: spandspPort,
            remotePort: mediaPort,
            ecm: options.spandsp?.ecm ?? true,
            maxSeconds: 90,
          })
        }
      }
      const answer = await api.json('GET', `/v3/accounts/self/faxes/${id}`)
      if (answer.status === 200) {
        fax = answer.body
        if (!IN_PROGRESS.has(String(fax['status']))) {
          break
        }
      }
      if (Date.now() > deadline) {
        assert.fail(
          `no final status after ${options.finalWithinMs ?? 120_000} ms: ${JSON.stringify(fax)}\n${server.output()}`,
        )
      }
      // Often while the spandsp peer waits for the call to begin (its T.30 clock starts with
      // it); otherwise once a second: a call lasts seconds to a minute, and each look costs a
      // request on both sides.
      const waitingForCall = spandspPort !== null && calling === null
      await new Promise((resolve) => setTimeout(resolve, waitingForCall ? 50 : 1000))
    }
    let sentDocument: Uint8Array | null = null
    if (fax['status'] === 'success' || fax['status'] === 'partially_sent') {
      const download = await fetch(`${server.url}/v3/accounts/self/files/${id}?format=tiff`, {
        headers: { authorization: `Bearer ${token}` },
      })
      assert.equal(download.status, 200, await download.clone().text())
      sentDocument = new Uint8Array(await download.arrayBuffer())
    }
    const sippResult = await sipp.done
    if (spandsp !== null) {
      // A fax that went through ends for spandsp too (faxd's DCN). One cut short by a hang-up
      // leaves spandsp waiting for the rest until its T.30 timers or --max-seconds end it: a
      // few seconds after faxd's final status it is stopped, and still reports what it got.
      const running = spandsp
      const grace = new Promise((resolve) => setTimeout(resolve, SPANDSP_END_GRACE_MS).unref())
      await Promise.race([running.done.catch(() => undefined), grace])
      running.stop()
    }
    const spandspResult =
      spandsp === null
        ? null
        : await spandsp.done.catch((error: unknown) => {
            throw new Error(`spandsp: ${String(error)}\nfaxd:\n${server.output()}`)
          })
    spandsp = null
    return {
      fax,
      sipp: sippResult,
      spandsp: spandspResult,
      faxdOutput: server.output(),
      receivedTiff:
        spandspResult === null
          ? null
          : await readFile(receivedTiff).then(
              (bytes) => new Uint8Array(bytes),
              () => null,
            ),
      pageCount: calling === null ? null : Number(calling['page_count']),
      sentDocument,
    }
  } finally {
    sipp?.stop()
    spandsp?.stop()
    // Ended, not only told to end: the next call on the server binds SIPp's port again.
    await sipp?.done.catch(() => undefined)
    await spandsp?.done.catch(() => undefined)
  }
}

/** The account's one outbox entry (listOutboxFaxes); null once it has left the outbox. */
export async function outboxEntry(api: TrunkApi): Promise<Record<string, unknown> | null> {
  const answer = await api.json('GET', '/v3/accounts/self/outbox')
  const records = (answer.body['records'] ?? []) as readonly Record<string, unknown>[]
  return records[0] ?? null
}

/** The Fax.Plus API of one faxd, as one user (bearer token). */
export type TrunkApi = ReturnType<typeof apiOf>

export function apiOf(url: string, token: string) {
  return {
    json: apiClient(url, token),
    async upload(text: string): Promise<string> {
      const form = new FormData()
      form.append('fax_file', new Blob([text], { type: 'text/plain' }), 'fax.txt')
      const response = await fetch(`${url}/v3/accounts/self/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      })
      assert.equal(response.status, 200, await response.clone().text())
      return ((await response.json()) as { path: string }).path
    },
  }
}
