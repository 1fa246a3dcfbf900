/**
 * The SIP transaction timers (RFC 3261 §17 and Table 4 of Appendix A), in milliseconds. The
 * transactions keep them as deadlines on the time their caller gives them through
 * `advance(ms)`; nothing here reads a clock.
 *
 * Only T1, T2 and T4 are settable: every other timer is derived from them as Table 4 says, and
 * from whether the transport is reliable (over TCP the retransmission timers A, E and G are not
 * started and the "wait for stray messages" timers D, I, J and K are zero).
 */
export interface SipTimerValues {
  /** T1, 500 ms default: "RTT Estimate". Raise it on a link known to be slower. */
  readonly t1Ms: number
  /** T2, 4 s: "The maximum retransmit interval for non-INVITE requests and INVITE responses". */
  readonly t2Ms: number
  /** T4, 5 s: "Maximum duration a message will remain in the network". */
  readonly t4Ms: number
}

export const DEFAULT_SIP_TIMERS: SipTimerValues = { t1Ms: 500, t2Ms: 4_000, t4Ms: 5_000 }

/**
 * Timer D, "> 32 s for UDP, 0 s for TCP/SCTP": how long an INVITE client transaction stays in
 * Completed to answer retransmitted final responses with ACK. Table 4 gives no formula, so it
 * does not follow T1: 32 s covers a server's Timer H (64·T1) with the default T1.
 */
export const TIMER_D_UDP_MS = 32_000

/**
 * RFC 3261 §17.2.1: "The server transaction MUST generate a 100 (Trying) response unless it
 * knows that the TU will generate a provisional or final response within 200 ms". The INVITE
 * server transaction waits this long for the TU before sending 100 itself.
 */
export const TRYING_DELAY_MS = 200

/** The timers a transaction can run, by their RFC 3261 letters (L from RFC 6026). */
export type SipTimerName =
  'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'Trying'

/** Table 4, given T1, T2 and T4 and whether the transport is reliable. */
export interface DerivedSipTimers {
  /** A, E, G: the first retransmission interval, or null where nothing is retransmitted. */
  readonly retransmitMs: number | null
  /** B, F, H (and RFC 6026's L): 64·T1. */
  readonly transactionTimeoutMs: number
  readonly timerDMs: number
  /** I and K: T4, zero when reliable. */
  readonly timerIKMs: number
  /** J: 64·T1, zero when reliable. */
  readonly timerJMs: number
}

export function deriveSipTimers(values: SipTimerValues, reliable: boolean): DerivedSipTimers {
  const sixtyFourT1 = 64 * values.t1Ms
  return {
    retransmitMs: reliable ? null : values.t1Ms,
    transactionTimeoutMs: sixtyFourT1,
    timerDMs: reliable ? 0 : TIMER_D_UDP_MS,
    timerIKMs: reliable ? 0 : values.t4Ms,
    timerJMs: reliable ? 0 : sixtyFourT1,
  }
}
