/**
 * The SIP service of one faxd process: the signalling socket, the user agent that speaks SIP on
 * it (sans I/O, telephony/sip/user-agent.ts), the registration at the trunk, the count of
 * channels in use both ways, and the UDP ports for T.38 streams. It is the shell around the
 * user agent: datagrams from the socket go in, time goes in every few milliseconds (the
 * monotonic clock), and what the agent sends goes out.
 *
 * Calls are handed to it: the sip-t38 carrier places outbound calls through placeCall, and
 * incoming calls go to the handler it was started with (inbound-sip-calls.ts). One process runs
 * it (docs/architecture.md, "The SIP service"), so the listener is one and the channel limit
 * holds for every call of the trunk.
 */
import { Registration, type RegistrationEvent } from '../../telephony/sip/registration.js'
import type { SipCall, SipCallEvent, CallTarget } from '../../telephony/sip/sip-call.js'
import { DEFAULT_CALL_SETTINGS, type SipCallSettings } from '../../telephony/sip/sip-call.js'
import type { SipPeer } from '../../telephony/sip/transaction-layer.js'
import { SipUserAgent, type UserAgentEvent } from '../../telephony/sip/user-agent.js'
import { DEFAULT_T38_CAPABILITIES } from '../../telephony/sip/t38-sdp.js'
import { UdpEndpoint } from '../../telephony/net/udp-endpoint.js'
import { UdpListener } from '../../telephony/net/udp-listener.js'
import type { SipTrunkSettings } from './sip-trunk-settings.js'

/** How often the agent's clock moves on. Its timers count in hundreds of ms; 20 is plenty. */
const TICK_MS = 20

export type SipTrunkLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void

/** Told of each call offered to a number of this server. */
export type IncomingCallHandler = (
  call: SipCall,
  invite: UserAgentEvent & { type: 'incoming-call' },
) => void

export class SipTrunk {
  readonly settings: SipTrunkSettings
  readonly #listener: UdpListener
  readonly #agent: SipUserAgent
  readonly #registration: Registration | null
  readonly #log: SipTrunkLog
  readonly #callListeners = new Map<SipCall, (event: SipCallEvent) => void>()
  #onIncoming: IncomingCallHandler | null = null
  #timer: NodeJS.Timeout | null = null
  #last = performance.now()
  #channelsInUse = 0
  #nextMediaPort: number
  #stopped = false

  private constructor(
    settings: SipTrunkSettings,
    listener: UdpListener,
    publicAddress: string,
    log: SipTrunkLog,
  ) {
    this.settings = settings
    this.#listener = listener
    this.#log = log
    this.#nextMediaPort = settings.mediaPorts.first
    const port = listener.local.port
    const contact = `sip:faxd@${hostForUri(publicAddress)}:${port}`
    const localVia = { host: publicAddress, port, transport: 'UDP', rport: true } as const
    const call: SipCallSettings = {
      ...DEFAULT_CALL_SETTINGS,
      mediaAddress: publicAddress,
      t38: {
        ...DEFAULT_T38_CAPABILITIES,
        highestVersion: settings.t38Version,
        maxBitRateBps: settings.t38MaxRate,
      },
      t38InInvite: settings.t38InInvite,
      ringTimeoutMs: settings.ringSeconds * 1000,
      ...(settings.reinviteDelayMs === undefined
        ? {}
        : { reinviteDelayMs: settings.reinviteDelayMs }),
      ...(settings.credentials === null ? {} : { credentials: settings.credentials }),
    }
    this.#agent = new SipUserAgent({ call, localVia, contact })
    this.#registration = settings.register
      ? new Registration({
          layer: this.#agent.layer,
          registrar: this.trunkPeer,
          registrarUri: `sip:${settings.domain}`,
          addressOfRecord: `sip:${settings.credentials?.username ?? 'faxd'}@${settings.domain}`,
          contact,
          localVia,
          ...(settings.credentials === null ? {} : { credentials: settings.credentials }),
          expiresSeconds: settings.registerSeconds,
        })
      : null
  }

  /** Binds the SIP port, starts the clock, and registers when configured to. */
  static async start(settings: SipTrunkSettings, log: SipTrunkLog = () => {}): Promise<SipTrunk> {
    const listener = await UdpListener.open(settings.listen.host, settings.listen.port)
    const publicAddress =
      settings.publicAddress ??
      (settings.listen.host === '0.0.0.0' || settings.listen.host === '::'
        ? await routeAddressTo(settings.trunk.host)
        : settings.listen.host)
    const trunk = new SipTrunk(settings, listener, publicAddress, log)
    // What arrived is taken before time moves on: after the process was held up (a loaded
    // machine, a long garbage collection), the 100 Trying that came in meanwhile must stop
    // timer A before it fires, or we resend an INVITE the far end has already answered.
    listener.onDatagram((datagram, from) => {
      trunk.#agent.receive(datagram, { address: from.host, port: from.port })
      trunk.#catchUp()
      trunk.#pump()
    })
    // For the same reason the clock moves in the check phase, after this turn's socket reads.
    trunk.#timer = setInterval(() => {
      setImmediate(() => {
        trunk.#catchUp()
        trunk.#pump()
      })
    }, TICK_MS)
    trunk.#registration?.start()
    trunk.#pump()
    log('info', 'SIP listening', {
      address: listener.local.host,
      port: listener.local.port,
      trunk: `${settings.trunk.host}:${settings.trunk.port}`,
    })
    return trunk
  }

  /** Where our SIP socket is bound. */
  get local(): { readonly host: string; readonly port: number } {
    return this.#listener.local
  }

  get trunkPeer(): SipPeer {
    return { address: this.settings.trunk.host, port: this.settings.trunk.port }
  }

  get channelsInUse(): number {
    return this.#channelsInUse
  }

  /** Takes a channel of the trunk for a call; false when all FAXD_SIP_CHANNELS are in use. */
  takeChannel(): boolean {
    if (this.#stopped || this.#channelsInUse >= this.settings.channels) {
      return false
    }
    this.#channelsInUse += 1
    return true
  }

  releaseChannel(): void {
    this.#channelsInUse = Math.max(0, this.#channelsInUse - 1)
  }

  /** Incoming calls go to `handler`; without one they are refused 404. */
  onIncomingCall(handler: IncomingCallHandler): void {
    this.#onIncoming = handler
  }

  /**
   * A UDP socket for one call's T.38 stream, on the next free port of FAXD_SIP_MEDIA_PORTS
   * (round robin, so a port just closed is not reused at once while late packets may arrive).
   */
  async openMedia(): Promise<UdpEndpoint> {
    const { first, last } = this.settings.mediaPorts
    const span = last - first + 1
    for (let tried = 0; tried < span; tried++) {
      const port = this.#nextMediaPort
      this.#nextMediaPort = port >= last ? first : port + 1
      try {
        return await UdpEndpoint.open({ host: this.settings.listen.host, port })
      } catch {
        // taken: try the next
      }
    }
    throw new Error(`no free UDP port for media in ${first}-${last} (FAXD_SIP_MEDIA_PORTS)`)
  }

  /** Places a call through the trunk; `listener` hears its events until it ends. */
  placeCall(
    target: CallTarget,
    mediaPort: number,
    listener: (event: SipCallEvent) => void,
  ): SipCall {
    const call = this.#agent.placeCall(target, this.trunkPeer, mediaPort)
    this.#callListeners.set(call, listener)
    this.#pump()
    return call
  }

  /** Hears the events of a call offered to us (after onIncomingCall gave it out). */
  listen(call: SipCall, listener: (event: SipCallEvent) => void): void {
    this.#callListeners.set(call, listener)
  }

  /** Runs `action` on a call and sends what it made the agent send. */
  act(action: () => void): void {
    this.#catchUp()
    action()
    this.#pump()
  }

  /**
   * Stops: unregisters, hangs up every call, and closes the socket once the BYEs had a moment
   * to go (their retransmissions are not waited for).
   */
  async stop(): Promise<void> {
    if (this.#stopped) {
      return
    }
    this.#stopped = true
    for (const call of this.#agent.calls) {
      call.hangUp()
    }
    this.#registration?.stop()
    this.#pump()
    await new Promise((resolve) => setTimeout(resolve, 200))
    this.#catchUp()
    this.#pump()
    if (this.#timer !== null) {
      clearInterval(this.#timer)
    }
    await this.#listener.close()
  }

  #catchUp(): void {
    const now = performance.now()
    const elapsed = now - this.#last
    this.#last = now
    this.#agent.advance(elapsed)
    this.#registration?.advance(elapsed)
  }

  #pump(): void {
    for (const event of this.#registration?.takeEvents() ?? []) {
      this.#logRegistration(event)
    }
    for (const { octets, to } of this.#agent.takeDatagrams()) {
      this.#listener.send(octets, { host: to.address, port: to.port })
    }
    for (const event of this.#agent.takeEvents()) {
      this.#dispatch(event)
    }
    // Handlers may have acted on calls: send that too.
    for (const { octets, to } of this.#agent.takeDatagrams()) {
      this.#listener.send(octets, { host: to.address, port: to.port })
    }
  }

  #dispatch(event: UserAgentEvent): void {
    switch (event.type) {
      case 'incoming-call':
        if (this.#onIncoming === null || this.#stopped) {
          event.call.reject(404, 'Not Found')
        } else {
          this.#onIncoming(event.call, event)
        }
        return
      case 'call-event': {
        const listener = this.#callListeners.get(event.call)
        if (event.event.type === 'ended') {
          this.#callListeners.delete(event.call)
        }
        listener?.(event.event)
        return
      }
      case 'bad-message':
        this.#log('warn', 'SIP message refused', {
          from: `${event.from.address}:${event.from.port}`,
          detail: event.detail,
        })
        return
    }
  }

  #logRegistration(event: RegistrationEvent): void {
    switch (event.type) {
      case 'registered':
        this.#log('info', 'registered at the SIP trunk', { expiresSeconds: event.expiresSeconds })
        return
      case 'registration-failed':
        this.#log('warn', 'registration at the SIP trunk failed', {
          status: event.status,
          reason: event.reason,
          retryInMs: event.retryInMs,
        })
        return
      case 'unregistered':
        this.#log('info', 'unregistered from the SIP trunk')
        return
    }
  }
}

/** An IPv6 address in a URI goes in brackets (RFC 3261 §19.1.1). */
function hostForUri(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}

/**
 * The local address the system routes to `host` from: what the trunk sees us as, when we
 * listen on every address. A connected UDP socket sends nothing; it only asks the routing table.
 */
async function routeAddressTo(host: string): Promise<string> {
  const { createSocket } = await import('node:dgram')
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4')
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.connect(9, host, () => resolve())
    })
    return socket.address().address
  } finally {
    socket.close()
  }
}
