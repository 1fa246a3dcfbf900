/**
 * Session timers (RFC 4028) as pure rules: what a call's INVITE asks for, what a 2xx or a
 * refresh grants, who refreshes, and when. A fax call can last longer than half an hour (a
 * hundred pages at 9600 bit/s), and a trunk that asked for a session timer tears down a call
 * nobody refreshes; the top complaint about self-hosted fax is calls cut at 1800 s
 * (peers.md §4). sip-call.ts keeps the deadlines these functions compute.
 */
import {
  MIN_SESSION_EXPIRES_SECONDS,
  formatSessionExpires,
  parseMinSe,
  parseSessionExpires,
} from './sip-headers.js'
import type { SipHeaders } from './sip-message.js'

/** The interval we ask for: RFC 4028 §4 recommends 1800 s. */
export const DEFAULT_SESSION_EXPIRES_SECONDS = 1800

/** A session timer in force: its interval and which side of the dialog refreshes it. */
export interface SessionTimer {
  readonly intervalSeconds: number
  /** True when we send the refreshes; false when the far end does and we watch the time. */
  readonly weRefresh: boolean
}

/** Session-Expires and Min-SE for a request we send (an INVITE, or a refresh re-INVITE). */
export function sessionTimerHeaders(
  intervalSeconds: number,
  minSeSeconds: number,
  refresher?: 'uac' | 'uas',
): [string, string][] {
  return [
    [
      'Session-Expires',
      formatSessionExpires({
        deltaSeconds: intervalSeconds,
        ...(refresher === undefined ? {} : { refresher }),
      }),
    ],
    ['Min-SE', String(minSeSeconds)],
  ]
}

/**
 * The timer a 2xx to our (re-)INVITE sets (RFC 4028 §7.2): a 2xx without Session-Expires means
 * no session expiration; otherwise its refresher parameter says who refreshes, `uac` being us
 * (we sent the request) and `uas` the far end. A 2xx that names no refresher breaks §9; we then
 * refresh ourselves, which is always safe.
 */
export function timerFromResponse(headers: SipHeaders): SessionTimer | null {
  const value = headers.get('Session-Expires')
  if (value === undefined) {
    return null
  }
  try {
    const parsed = parseSessionExpires(value)
    return { intervalSeconds: parsed.deltaSeconds, weRefresh: parsed.refresher !== 'uas' }
  } catch {
    return null
  }
}

/** What we answer to a request that carries (or lacks) Session-Expires. */
export type SessionTimerAnswer =
  /** No timer asked: none in force (we do not impose one on a caller that did not ask). */
  | { readonly kind: 'none' }
  /** RFC 4028 §9: below our Min-SE, answered 422 (Session Interval Too Small) with our Min-SE. */
  | { readonly kind: 'too-small'; readonly minSeSeconds: number }
  /** A timer in force, and the Session-Expires to put in our 2xx. */
  | { readonly kind: 'timer'; readonly timer: SessionTimer; readonly header: string }

/**
 * Our answer to an INVITE, re-INVITE or UPDATE with Session-Expires (RFC 4028 §9): a refresher
 * named in the request stands; when the request names none, the UAS chooses, and we name the
 * requester (uac), which asked for the timer. In a request we receive the far end is the UAC,
 * so refresher=uac means the far end refreshes and refresher=uas means we do.
 */
export function answerSessionTimer(
  headers: SipHeaders,
  minSeSeconds: number = MIN_SESSION_EXPIRES_SECONDS,
): SessionTimerAnswer {
  const value = headers.get('Session-Expires')
  if (value === undefined) {
    return { kind: 'none' }
  }
  let requested
  try {
    requested = parseSessionExpires(value)
  } catch {
    return { kind: 'none' }
  }
  const theirMinSe = readMinSe(headers)
  const floor = Math.max(minSeSeconds, theirMinSe ?? 0)
  if (requested.deltaSeconds < floor) {
    return { kind: 'too-small', minSeSeconds: floor }
  }
  const refresher = requested.refresher ?? 'uac'
  return {
    kind: 'timer',
    // In a request we receive, the far end is the UAC.
    timer: { intervalSeconds: requested.deltaSeconds, weRefresh: refresher === 'uas' },
    header: formatSessionExpires({ deltaSeconds: requested.deltaSeconds, refresher }),
  }
}

/** Min-SE of a message (a 422 or a request), or undefined. */
export function readMinSe(headers: SipHeaders): number | undefined {
  const value = headers.get('Min-SE')
  if (value === undefined) {
    return undefined
  }
  try {
    return parseMinSe(value)
  } catch {
    return undefined
  }
}

/**
 * When the refresher sends its refresh, ms after the last one: at half the interval, as RFC 4028
 * §10 recommends.
 */
export function refreshAfterMs(timer: SessionTimer): number {
  return (timer.intervalSeconds * 1000) / 2
}

/**
 * When the side that does not refresh gives up, ms after the last refresh: RFC 4028 §10 has it
 * send BYE slightly before the session expires, by the lesser of 32 seconds and a third of the
 * interval.
 */
export function expiresAfterMs(timer: SessionTimer): number {
  const seconds = timer.intervalSeconds
  return (seconds - Math.min(32, seconds / 3)) * 1000
}
