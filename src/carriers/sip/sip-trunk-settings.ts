/**
 * What the SIP service and the sip-t38 carrier are told by the operator (the FAXD_SIP_…,
 * FAXD_T38_… and FAXD_FAX_… variables, read in src/config.ts and described in
 * docs/sip-trunk.md). The composition root passes the configuration here as it is.
 */
export interface SipTrunkSettings {
  readonly trunk: { readonly host: string; readonly port: number }
  readonly credentials: { readonly username: string; readonly password: string } | null
  /** The host part of our SIP URIs (From, To, Request-URI). */
  readonly domain: string
  readonly listen: { readonly host: string; readonly port: number }
  /** The address written in Via, Contact and SDP; null: found from the route to the trunk. */
  readonly publicAddress: string | null
  readonly mediaPorts: { readonly first: number; readonly last: number }
  /** Calls at once on the trunk, both ways. */
  readonly channels: number
  readonly register: boolean
  readonly registerSeconds: number
  /** 'sender' (the fax's own number) or a fixed E.164 number for every call. */
  readonly callerId: string
  /** The header whose URI user is the called number of an inbound call. */
  readonly numberHeader: string
  /** Our T.30 station id; null: the fax number (sending: ours; receiving: the one called). */
  readonly stationId: string | null
  readonly t38Version: 0 | 1 | 2 | 3
  readonly t38MaxRate: number
  readonly t38InInvite: boolean
  readonly ecm: boolean
  /** How long a call we place may ring before we CANCEL it, seconds. */
  readonly ringSeconds: number
  /** How long after answer we re-INVITE to T.38 ourselves (tests shorten it). Default 2 s. */
  readonly reinviteDelayMs?: number
}
