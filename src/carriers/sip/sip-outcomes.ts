/**
 * How a call through the SIP trunk ended, as a Fax.Plus status, in one table
 * (docs/sip-trunk.md prints it). Before the fax starts, the SIP final response or the way the
 * call ended decides; once T.38 is up, the T.30 result does (t30-call-result.ts), and a hang-up
 * after confirmed pages is `partially_sent`.
 *
 * Retryable means another attempt may fare otherwise (a busy line frees up, a trunk comes
 * back); a number that does not exist or a far end without T.38 fails the same way again.
 */
import type { CallResult } from '../../domain/carrier.js'
import type { FaxStatus } from '../../domain/fax.js'
import type { CallEnd } from '../../telephony/sip/sip-call.js'

export interface SipOutcome {
  readonly status: FaxStatus
  readonly retryable: boolean
  readonly description: string
}

/** A final response to our INVITE, by status code (RFC 3261 §21, RFC 3326 cause texts aside). */
export const SIP_STATUS_OUTCOMES: Readonly<Record<number, SipOutcome>> = {
  403: {
    status: 'failed_to_send',
    retryable: false,
    description:
      'the trunk refused the call (403 Forbidden): check FAXD_SIP_USER and the caller id',
  },
  401: {
    status: 'failed_to_send',
    retryable: false,
    description:
      'the trunk refused our credentials (401): check FAXD_SIP_USER and FAXD_SIP_PASSWORD',
  },
  407: {
    status: 'failed_to_send',
    retryable: false,
    description:
      'the trunk refused our credentials (407): check FAXD_SIP_USER and FAXD_SIP_PASSWORD',
  },
  404: {
    status: 'failed_unallocated_number',
    retryable: false,
    description: 'the number does not exist (404 Not Found)',
  },
  410: {
    status: 'failed_unallocated_number',
    retryable: false,
    description: 'the number is no longer in service (410 Gone)',
  },
  484: {
    status: 'failed_unallocated_number',
    retryable: false,
    description: 'the number is incomplete (484 Address Incomplete)',
  },
  604: {
    status: 'failed_unallocated_number',
    retryable: false,
    description: 'the number does not exist anywhere (604)',
  },
  408: {
    status: 'failed_no_answer',
    retryable: true,
    description: 'nobody answered (408 Request Timeout)',
  },
  480: {
    status: 'failed_no_answer',
    retryable: true,
    description: 'nobody answered (480 Temporarily Unavailable)',
  },
  487: {
    status: 'failed_no_answer',
    retryable: true,
    description: 'the call was not answered before it was cancelled (487)',
  },
  486: {
    status: 'failed_user_busy',
    retryable: true,
    description: 'the line was busy (486 Busy Here)',
  },
  600: {
    status: 'failed_user_busy',
    retryable: true,
    description: 'the line was busy (600 Busy Everywhere)',
  },
  603: {
    status: 'failed_user_busy',
    retryable: true,
    description: 'the far end declined the call (603 Decline)',
  },
  488: {
    status: 'failed_to_send',
    retryable: false,
    description: 'the far end refused our media offer (488 Not Acceptable Here)',
  },
  606: {
    status: 'failed_to_send',
    retryable: false,
    description: 'the far end refused our media offer (606 Not Acceptable)',
  },
  500: {
    status: 'failed_normal_temporary_failure',
    retryable: true,
    description: 'the trunk failed (500 Server Internal Error)',
  },
  502: {
    status: 'failed_normal_temporary_failure',
    retryable: true,
    description: 'the trunk could not reach the network (502 Bad Gateway)',
  },
  503: {
    status: 'failed_normal_temporary_failure',
    retryable: true,
    description: 'the trunk is unavailable (503 Service Unavailable)',
  },
  504: {
    status: 'failed_normal_temporary_failure',
    retryable: true,
    description: 'the network did not answer in time (504 Server Time-out)',
  },
}

/** What a final response to our INVITE means; classes fill the codes the table leaves out. */
export function outcomeOfStatus(status: number, phrase: string): SipOutcome {
  const known = SIP_STATUS_OUTCOMES[status]
  if (known !== undefined) {
    return known
  }
  const text = `${status} ${phrase}`.trim()
  if (status >= 500 && status < 600) {
    return {
      status: 'failed_normal_temporary_failure',
      retryable: true,
      description: `the trunk failed (${text})`,
    }
  }
  if (status >= 600) {
    return {
      status: 'failed_to_send',
      retryable: false,
      description: `the call was refused everywhere (${text})`,
    }
  }
  return {
    status: 'failed_to_send',
    retryable: false,
    description: `the call was refused (${text})`,
  }
}

/** What a call that ended before any page went means (the fax never started). */
export function outcomeOfEnd(end: CallEnd): SipOutcome {
  switch (end.reason) {
    case 'rejected':
      return outcomeOfStatus(end.status, end.phrase)
    case 'no-response':
      return {
        status: 'failed_normal_temporary_failure',
        retryable: true,
        description: 'the SIP trunk did not answer the INVITE',
      }
    case 'no-answer':
      return {
        status: 'failed_no_answer',
        retryable: true,
        description: `nobody answered within ${Math.round(end.afterMs / 1000)} s (FAXD_SIP_RING_SECONDS)`,
      }
    case 'cancelled':
      return {
        status: 'failed_no_answer',
        retryable: true,
        description: 'the call was cancelled before it was answered',
      }
    case 't38-refused':
      return {
        status: 'failed_to_send',
        retryable: false,
        description: `the far end refused T.38 fax (${end.detail})`,
      }
    case 'remote-hangup':
      return {
        status: 'failed_to_send',
        retryable: true,
        description: 'the far end hung up before the fax started',
      }
    case 'session-expired':
      return {
        status: 'failed_to_send',
        retryable: true,
        description: 'the call ended: the far end stopped refreshing the SIP session',
      }
    case 'no-ack':
      return {
        status: 'failed_to_send',
        retryable: true,
        description: 'the far end never acknowledged the answer',
      }
    case 'local-hangup':
      return {
        status: 'failed_to_send',
        retryable: true,
        description: 'the call was hung up before the fax started',
      }
  }
}

/** A CallResult for a call that ended before the fax started. */
export function resultBeforeFax(end: CallEnd, durationMs: number): CallResult {
  const outcome = outcomeOfEnd(end)
  return { ...outcome, pagesConfirmed: [], durationMs, negotiated: null }
}
