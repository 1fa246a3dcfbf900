/**
 * Where each destination of a sent fax stands, read from what the API shows (the outbox entry
 * while it is there, then the fax record), and said in words: the progress `faxd send --wait`
 * and `faxd status` print. Pure: answers and the time go in, stages and words come out.
 */
import { parseUtcWithOffset } from '../shared/api-time.js'
import type {
  AttemptAnswer,
  FaxAnswer,
  OutboxAnswer,
  OutboxDestinationAnswer,
} from './api-answers.js'

export type Stage =
  /** Accepted; its documents are not rendered yet. */
  | { readonly kind: 'accepted' }
  | { readonly kind: 'rendering' }
  /** Rendered, waiting for its send_time. */
  | { readonly kind: 'scheduled'; readonly atMs: number }
  /** Due, waiting for a worker or a free line. */
  | { readonly kind: 'waiting' }
  /** In a call; `confirmed` pages of `pages` are through, counting earlier attempts. */
  | {
      readonly kind: 'calling'
      readonly attempt: number
      readonly confirmed: number
      readonly pages: number | null
    }
  /** Between attempts: the next one is due at `atMs`. */
  | { readonly kind: 'retrying'; readonly attempts: number; readonly atMs: number | null }
  | { readonly kind: 'ended'; readonly fax: FaxAnswer; readonly attempts: readonly AttemptAnswer[] }
  /** The entry was cancelled before this destination was called: it has no fax record. */
  | { readonly kind: 'cancelled' }

/** A stage in words: `text` changes with the stage, `detail` (a countdown) as time passes. */
export interface StageWords {
  readonly text: string
  readonly detail?: string
}

/** How a whole send ended: every destination got every page, some got something, or none. */
export type Outcome = 'success' | 'partial' | 'failure'

/** The stage of a destination the outbox entry still holds. */
export function stageInOutbox(
  entry: OutboxAnswer,
  destination: OutboxDestinationAnswer | undefined,
  nowMs: number,
): Stage {
  // Its pages are counted once rendered (0 until then); a scheduled entry is
  // `scheduled_for_sending` before its pages are rendered as well as after.
  const pages = entry.page_count === null || entry.page_count === 0 ? null : entry.page_count
  if (entry.status === 'submitted' || (pages === null && entry.status !== 'converting')) {
    return { kind: 'accepted' }
  }
  if (entry.status === 'converting' || destination === undefined) {
    return { kind: 'rendering' }
  }
  if (destination.state === 'calling') {
    return {
      kind: 'calling',
      attempt: destination.attempts,
      confirmed: destination.pages_confirmed.length,
      pages,
    }
  }
  const nextMs =
    destination.next_attempt_time === null
      ? null
      : parseUtcWithOffset(destination.next_attempt_time)
  if (destination.attempts > 0) {
    return { kind: 'retrying', attempts: destination.attempts, atMs: nextMs }
  }
  if (nextMs !== null && nextMs > nowMs + 1000) {
    return { kind: 'scheduled', atMs: nextMs }
  }
  return { kind: 'waiting' }
}

/** The stage in words, e.g. "sending page 2 of 3 (attempt 1)". */
export function describeStage(stage: Stage, nowMs: number): StageWords {
  switch (stage.kind) {
    case 'accepted':
      return { text: 'accepted, waiting to be rendered' }
    case 'rendering':
      return { text: 'rendering the pages' }
    case 'scheduled':
      return {
        text: `scheduled for ${clockTime(stage.atMs, nowMs)}`,
        detail: `(${fromNow(stage.atMs, nowMs)})`,
      }
    case 'waiting':
      return { text: 'waiting for a line' }
    case 'calling': {
      const of = stage.pages === null ? '' : ` of ${stage.pages}`
      const page =
        stage.pages === null ? stage.confirmed + 1 : Math.min(stage.confirmed + 1, stage.pages)
      const doing =
        stage.confirmed === 0 ? `dialing, then page 1${of}` : `sending page ${page}${of}`
      return { text: `${doing} (attempt ${stage.attempt})` }
    }
    case 'retrying': {
      const tried = stage.attempts === 1 ? 'attempt 1 failed' : `${stage.attempts} attempts failed`
      return stage.atMs === null
        ? { text: `${tried}; waiting to retry` }
        : {
            text: `${tried}; retry at ${clockTime(stage.atMs, nowMs)}`,
            detail: `(${fromNow(stage.atMs, nowMs)})`,
          }
    }
    case 'ended':
      return { text: describeEnd(stage.fax, stage.attempts) }
    case 'cancelled':
      return { text: 'cancelled before it was called' }
  }
}

/** The words and the countdown on one line, as `faxd status` prints them. */
export function oneLine(words: StageWords): string {
  return words.detail === undefined ? words.text : `${words.text} ${words.detail}`
}

/**
 * A fax record's end in words, with the far end's identity and rate when a call got through.
 * What the far end and the server wrote is made printable (no control characters: it goes to
 * a terminal).
 */
export function describeEnd(fax: FaxAnswer, attempts: readonly AttemptAnswer[]): string {
  const pages = `${fax.pages} ${fax.pages === 1 ? 'page' : 'pages'}`
  const description = printable(fax.description)
  if (fax.direction === 'incoming') {
    return fax.status === 'success'
      ? `received: ${pages} from ${printable(fax.from)}`
      : fax.status === 'partially_received'
        ? `partly received: ${pages} (${description})`
        : `not received: ${description} (${fax.status})`
  }
  const tries = attempts.length > 1 ? ` after ${attempts.length} attempts` : ''
  if (fax.status === 'success') {
    const last = attempts[attempts.length - 1]
    const station = last?.remote_station_id ? ` to "${printable(last.remote_station_id)}"` : ''
    const rate = last?.bit_rate ? ` at ${last.bit_rate} bit/s` : ''
    return `sent: ${pages}${station}${rate}${tries}`
  }
  if (fax.status === 'partially_sent') {
    return `partially sent: ${pages} got through (${description})${tries}`
  }
  return `failed: ${description} (${fax.status})${tries}`
}

/** How a send ended, from each destination's record (null: cancelled before it was called). */
export function outcomeOf(faxes: readonly (FaxAnswer | null)[]): Outcome {
  if (faxes.length > 0 && faxes.every((fax) => fax?.status === 'success')) {
    return 'success'
  }
  return faxes.some((fax) => fax?.status === 'success' || fax?.status === 'partially_sent')
    ? 'partial'
    : 'failure'
}

/**
 * Text from the server or the far end made safe to print on a terminal: C0 and C1 control
 * characters (which could move the cursor or retitle the window) become U+FFFD.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd')
}

/** "14:05:30" today, else "2026-12-24 09:00:00"; in the local time zone. */
export function clockTime(atMs: number, nowMs: number): string {
  const at = new Date(atMs)
  const now = new Date(nowMs)
  const two = (n: number) => String(n).padStart(2, '0')
  const time = `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`
  const sameDay =
    at.getFullYear() === now.getFullYear() &&
    at.getMonth() === now.getMonth() &&
    at.getDate() === now.getDate()
  return sameDay
    ? time
    : `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${time}`
}

/** "in 2 h 5 min", "in 30 s", "now". */
export function fromNow(atMs: number, nowMs: number): string {
  const seconds = Math.round((atMs - nowMs) / 1000)
  if (seconds <= 0) {
    return 'now'
  }
  if (seconds < 60) {
    return `in ${seconds} s`
  }
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) {
    return `in ${minutes} min`
  }
  const hours = Math.floor(minutes / 60)
  if (hours < 48) {
    return minutes % 60 === 0 ? `in ${hours} h` : `in ${hours} h ${minutes % 60} min`
  }
  return `in ${Math.round(hours / 24)} days`
}
