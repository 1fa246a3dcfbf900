/**
 * What the seven test numbers of docs/test-numbers.md must do, written down from the document (not
 * from src/carriers), for the crash test to judge what the workers recorded:
 *
 * - expectedOutcome: the closed form of one fax with no crash in its way: its final status, how
 *   many attempts it takes and how many pages arrive.
 * - replayAttempts: walks the attempts a fax has in fax_attempts through the model, one by one:
 *   each attempt's status and pages are the ones the number gives on that attempt with the pages
 *   it had left, an attempt follows only where the retry rule allows one, and none follows the
 *   last. An attempt a worker died in the middle of (carrier 'interrupted': the next worker ended
 *   it as it stood) may end `success`, when every page it carried was confirmed, or
 *   `failed_to_send`. Such a call is a restart (docs/errors.md, "A crash of ours"): the next
 *   attempt follows at once, whatever `options.retry` says, carries only the pages not yet
 *   confirmed, and the interrupted one reports no fax_sent event; after RESTARTS_PER_FAX of
 *   them, it is an ordinary failed attempt, retryable.
 */

/** Restarts of one fax that do not count against options.retry (docs/errors.md). */
export const RESTARTS_PER_FAX = 3

export const TEST_NUMBERS = [
  '+15555550100',
  '+15555550101',
  '+15555550102',
  '+15555550103',
  '+15555550104',
  '+15555550105',
  '+15555550106',
] as const

export type TestNumber = (typeof TEST_NUMBERS)[number]

export interface FaxOptions {
  /** options.retry.count: retries after the first attempt (0–3). */
  readonly retryCount: number
  readonly partiallySentRetry: boolean
  /** The pages of the rendered document. */
  readonly pages: number
}

export interface Outcome {
  readonly status: string
  readonly attempts: number
  readonly pages: number
}

/** The fax's end when no worker dies during it: the table of docs/test-numbers.md, in closed form. */
export function expectedOutcome(to: TestNumber, options: FaxOptions): Outcome {
  const { retryCount: count, partiallySentRetry: psr, pages } = options
  switch (to) {
    case '+15555550100':
    case '+15555550106':
      return { status: 'success', attempts: 1, pages }
    case '+15555550101':
      return { status: 'failed_user_busy', attempts: 1 + count, pages: 0 }
    case '+15555550102':
      return { status: 'failed_no_answer', attempts: 1 + count, pages: 0 }
    case '+15555550103':
      return { status: 'failed_unallocated_number', attempts: 1, pages: 0 }
    case '+15555550104':
      // Each attempt but one with a single page left gets exactly one page through; without
      // partially_sent_retry that is page 1 every time. With it, attempt k sends from page k,
      // and attempt `pages` has one page left and succeeds.
      if (pages <= 1) {
        return { status: 'success', attempts: 1, pages }
      }
      if (psr && count >= pages - 1) {
        return { status: 'success', attempts: pages, pages }
      }
      return { status: 'partially_sent', attempts: 1 + count, pages: psr ? 1 + count : 1 }
    case '+15555550105':
      return count >= 1
        ? { status: 'success', attempts: 2, pages }
        : { status: 'failed_user_busy', attempts: 1, pages: 0 }
  }
}

/** One row of fax_attempts, as the test reads it. */
export interface AttemptRow {
  readonly attempt: number
  readonly status: string
  readonly carrier: string
  readonly pagesConfirmed: readonly number[]
}

/** What one attempt reported to fax_sent: the status of the event and the pages it carried. */
export interface AttemptEvent {
  readonly attempt: number
  readonly status: string
  readonly pages: number
}

export interface Replay {
  /** Every way the attempts depart from the model; empty when they follow it. */
  readonly problems: readonly string[]
  /** The fax's final status by the model, when its attempts are complete. */
  readonly finalStatus: string | null
  /** Pages confirmed over all attempts. */
  readonly pagesConfirmed: number
  /** True when the model expects another attempt after the last one recorded. */
  readonly moreExpected: boolean
  /** The fax_sent event each attempt must have produced. */
  readonly events: readonly AttemptEvent[]
  /** How many attempts were ended by a worker that took over a dead one's call. */
  readonly interrupted: number
  /** How many of those were restarts, not counted against options.retry. */
  readonly restarts: number
}

interface CallOutcome {
  readonly status: string
  readonly pages: readonly number[]
  readonly retryable: boolean
}

/** One call to `to`, the `attempt`-th, carrying `pages`: as docs/test-numbers.md describes it. */
export function modelCall(to: TestNumber, attempt: number, pages: readonly number[]): CallOutcome {
  const answered = (confirmed: readonly number[]): CallOutcome => ({
    status: 'success',
    pages: confirmed,
    retryable: false,
  })
  switch (to) {
    case '+15555550100':
    case '+15555550106':
      return answered(pages)
    case '+15555550101':
      return { status: 'failed_user_busy', pages: [], retryable: true }
    case '+15555550102':
      return { status: 'failed_no_answer', pages: [], retryable: true }
    case '+15555550103':
      return { status: 'failed_unallocated_number', pages: [], retryable: false }
    case '+15555550104':
      return pages.length > 1
        ? { status: 'partially_sent', pages: pages.slice(0, 1), retryable: true }
        : answered(pages)
    case '+15555550105':
      return attempt === 1
        ? { status: 'failed_user_busy', pages: [], retryable: true }
        : answered(pages)
  }
}

export const INTERRUPTED_CARRIER = 'interrupted'

/** The statuses of a finished call that a retry can change (docs/test-numbers.md, "retryable"). */
const RETRYABLE = new Set(['failed_user_busy', 'failed_no_answer', 'partially_sent'])

/** Replays a fax's recorded attempts (in attempt order) through the model. */
export function replayAttempts(
  to: TestNumber,
  options: FaxOptions,
  attempts: readonly AttemptRow[],
): Replay {
  const problems: string[] = []
  const events: AttemptEvent[] = []
  const everyPage = Array.from({ length: options.pages }, (_, index) => index + 1)
  const confirmed = new Set<number>()
  let interrupted = 0
  let restarts = 0
  let resume = false
  let moreExpected = true
  let finalStatus: string | null = null
  attempts.forEach((row, index) => {
    const number = index + 1
    if (row.attempt !== number) {
      problems.push(`attempt #${index} is numbered ${row.attempt}, not ${number}`)
    }
    if (!moreExpected) {
      problems.push(`attempt ${row.attempt} (${row.status}) came after the fax had ended`)
    }
    const carried =
      options.partiallySentRetry || resume
        ? everyPage.filter((page) => !confirmed.has(page))
        : everyPage
    let outcome: CallOutcome
    if (row.carrier === INTERRUPTED_CARRIER) {
      interrupted++
      const complete = carried.every((page) => row.pagesConfirmed.includes(page))
      outcome = {
        status: complete ? 'success' : 'failed_to_send',
        pages: row.pagesConfirmed,
        retryable: !complete,
      }
      if (row.pagesConfirmed.some((page) => !carried.includes(page))) {
        problems.push(
          `interrupted attempt ${row.attempt} confirmed pages [${row.pagesConfirmed.join(',')}] it did not carry ([${carried.join(',')}])`,
        )
      }
    } else {
      outcome = modelCall(to, number, carried)
    }
    if (row.status !== outcome.status) {
      problems.push(`attempt ${row.attempt} is ${row.status}, the model says ${outcome.status}`)
    }
    if (!samePages(row.pagesConfirmed, outcome.pages)) {
      problems.push(
        `attempt ${row.attempt} confirmed [${row.pagesConfirmed.join(',')}], the model says [${outcome.pages.join(',')}]`,
      )
    }
    // What was recorded decides what follows, so one departure is reported once.
    for (const page of row.pagesConfirmed) {
      confirmed.add(page)
    }
    const allSent = confirmed.size >= options.pages
    const status = allSent ? 'success' : row.status
    const restart = row.carrier === INTERRUPTED_CARRIER && !allSent && restarts < RESTARTS_PER_FAX
    resume = restart
    if (restart) {
      restarts++
      moreExpected = true
      finalStatus = null
      return
    }
    events.push({ attempt: row.attempt, status, pages: row.pagesConfirmed.length })
    const retryable =
      row.carrier === INTERRUPTED_CARRIER ? outcome.retryable : RETRYABLE.has(row.status)
    moreExpected = !allSent && retryable && number - restarts <= options.retryCount
    // The record: every page is a success, some pages over all attempts partially_sent.
    finalStatus = moreExpected
      ? null
      : allSent
        ? 'success'
        : confirmed.size > 0
          ? 'partially_sent'
          : row.status
  })
  return {
    problems,
    finalStatus: attempts.length === 0 ? null : finalStatus,
    pagesConfirmed: confirmed.size,
    moreExpected,
    events,
    interrupted,
    restarts,
  }
}

function samePages(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((page, index) => page === b[index])
}
