/**
 * What the SIP service and the sip-t38 carrier are told by the operator (the FAXD_SIP_…,
 * FAXD_T38_… and FAXD_FAX_… variables, read in src/config.ts and described in
 * docs/sip-trunk.md). The composition root passes the configuration here as it is.
 */
export interface SipTrunkSettings {
  /** FAXD_SIP_TRUNK: where calls go (and, registered, where we register). Port default 5060. */
  readonly trunk: { readonly host: string; readonly port: number }
  /** FAXD_SIP_USER / FAXD_SIP_PASSWORD: digest credentials for 401/407; null without a user. */
  readonly credentials: { readonly username: string; readonly password: string } | null
  /** FAXD_SIP_DOMAIN: the host part of our SIP URIs (From, To, Request-URI). Default the trunk's. */
  readonly domain: string
  /** FAXD_SIP_LISTEN: where we take SIP (default 0.0.0.0:5060). */
  readonly listen: { readonly host: string; readonly port: number }
  /**
   * FAXD_SIP_PUBLIC_ADDRESS: the address the far end reaches us at, written in Via, Contact and
   * SDP. Default: the listen address, or when that is 0.0.0.0 the local address of the route to
   * the trunk.
   */
  readonly publicAddress: string | null
  /** FAXD_SIP_MEDIA_PORTS: the UDP ports for T.38 streams, `first-last` (default 40000-40999). */
  readonly mediaPorts: { readonly first: number; readonly last: number }
  /** FAXD_SIP_CHANNELS: calls at once on the trunk, both ways (default 10). */
  readonly channels: number
  /** FAXD_SIP_RING_SECONDS: how long a call may ring unanswered before we cancel it (60). */
  readonly ringSeconds: number
  /** FAXD_SIP_REGISTER: on to register at the trunk (default off: IP-authenticated trunks). */
  readonly register: boolean
  /** FAXD_SIP_REGISTER_SECONDS: the registration expiry asked for (default 3600). */
  readonly registerSeconds: number
  /**
   * FAXD_SIP_CALLER_ID: `sender` (the fax's sending number, the default) or a fixed E.164 number
   * presented on every call.
   */
  readonly callerId: string
  /**
   * FAXD_SIP_NUMBER_HEADER: the header whose URI user is the called number of an inbound call
   * (default: the To header).
   */
  readonly numberHeader: string
  /** FAXD_FAX_TSI: the station id we send (TSI/CSI, 20 characters); default the fax number. */
  readonly stationId: string | null
  /** FAXD_T38_VERSION: the highest T.38 version offered (0–3, default 0). */
  readonly t38Version: 0 | 1 | 2 | 3
  /** FAXD_T38_MAX_RATE: the highest rate offered, bit/s (2400–14400, default 14400). */
  readonly t38MaxRate: number
  /** FAXD_SIP_T38_IN_INVITE: on to offer T.38 beside audio in the first INVITE (default off). */
  readonly t38InInvite: boolean
  /** FAXD_FAX_ECM: T.30 error correction, on by default. */
  readonly ecm: boolean
  /** How long after answer we re-INVITE to T.38 ourselves (tests shorten it). Default 2 s. */
  readonly reinviteDelayMs?: number
}
