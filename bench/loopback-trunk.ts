/**
 * The SIP service settings both ends of bench/sip-calls.bench.ts run with: loopback only, no
 * registration, no credentials, T.38 version 0 at 14,400 bit/s with ECM, as many channels as
 * the bench asks for. Each end names its trunk and its media ports.
 */
import type { SipTrunkSettings } from '../src/carriers/sip/sip-trunk-settings.js'

export function loopbackTrunk(options: {
  readonly trunkPort: number
  readonly mediaPorts: { readonly first: number; readonly last: number }
  readonly stationId: string | null
}): SipTrunkSettings {
  return {
    trunk: { host: '127.0.0.1', port: options.trunkPort },
    credentials: null,
    domain: '127.0.0.1',
    listen: { host: '127.0.0.1', port: 0 },
    publicAddress: '127.0.0.1',
    mediaPorts: options.mediaPorts,
    channels: 10_000,
    ringSeconds: 60,
    register: false,
    registerSeconds: 3600,
    callerId: 'sender',
    numberHeader: 'To',
    stationId: options.stationId,
    t38Version: 0,
    t38MaxRate: 14_400,
    t38InInvite: false,
    ecm: true,
  }
}
