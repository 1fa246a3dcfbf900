/**
 * Which transaction a message belongs to (RFC 3261 §17.1.3 for responses, §17.2.3 for
 * requests, §9.2 for the transaction a CANCEL cancels), as pure functions over the few fields
 * the rules read. Each returns a string key: two messages belong to the same transaction
 * exactly when their keys are equal, so the UA keeps its transactions in a Map by key.
 *
 * The fields come from the parsed message: the top Via's branch parameter and sent-by
 * (`host[:port]`), the method (or a response's CSeq method), and, only for a request from an
 * RFC 2543 element whose branch lacks the magic cookie, the Request-URI, Call-ID, From tag and
 * CSeq number.
 */

import { BRANCH_MAGIC_COOKIE } from './sip-headers.js'

/** Whether a branch was made by an RFC 3261 element (and so is unique on its own). */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(BRANCH_MAGIC_COOKIE)
}

/** What §17.1.3 reads of a response (or of the request a client transaction sent). */
export interface ClientMatchFields {
  /** The branch of the top Via: ours, since we put it on the request. */
  readonly branch: string
  /** The CSeq method of a response, or the method of the request sent. */
  readonly method: string
}

/**
 * §17.1.3: "A response matches a client transaction under two conditions: 1. If the response
 * has the same value of the branch parameter in the top Via header field as the branch
 * parameter in the top Via header field of the request that created the transaction. 2. If
 * the method parameter in the CSeq header field matches the method of the request that
 * created the transaction. The method is needed since a CANCEL request constitutes a
 * different transaction, but shares the same value of the branch parameter."
 */
export function clientTransactionKey(fields: ClientMatchFields): string {
  return JSON.stringify(['client', fields.branch, fields.method])
}

/** What §17.2.3 reads of a request. */
export interface ServerMatchFields {
  readonly method: string
  /** The branch parameter of the top Via, if it has one. */
  readonly branch: string | undefined
  /** The top Via's sent-by, `host[:port]`, as written. */
  readonly sentBy: string
  /** For RFC 2543 requests only (branch absent or without the magic cookie). */
  readonly requestUri: string
  readonly callId: string
  readonly fromTag: string | undefined
  readonly cseqNumber: number
}

/**
 * The key of the server transaction a request belongs to.
 *
 * §17.2.3, for a branch with the magic cookie: "1. the branch parameter in the request is
 * equal to the one in the top Via header field of the request that created the transaction,
 * and 2. the sent-by value in the top Via of the request is equal to the one in the request
 * that created the transaction, and 3. the method of the request matches the one that
 * created the transaction, except for ACK, where the method of the request that created the
 * transaction is INVITE." So the ACK for a non-2xx lands in the INVITE's transaction, and a
 * CANCEL (same branch) gets a transaction of its own.
 *
 * For an RFC 2543 request the rule compares Request-URI, From tag, Call-ID, CSeq and the top
 * Via instead; the To tag is left out of the key here, because the ACK for a non-2xx carries
 * the tag of our response while the INVITE it acknowledges carried none (the CSeq number
 * already tells a re-INVITE from the first).
 */
export function serverTransactionKey(fields: ServerMatchFields): string {
  return keyFor(fields, fields.method === 'ACK' ? 'INVITE' : fields.method)
}

/**
 * The key of the transaction a CANCEL cancels. §9.2: "The TU determines the transaction to be
 * cancelled by taking the CANCEL request, and then assuming that the request method is
 * anything but CANCEL or ACK and applying the transaction matching procedures of Section
 * 17.2.3." Only an INVITE can be usefully cancelled (a non-INVITE is answered at once), so
 * this is the key of the INVITE with the CANCEL's branch and sent-by; when the UA finds no
 * such transaction it answers the CANCEL 481 (§9.2).
 */
export function cancelTargetKey(cancel: ServerMatchFields): string {
  return keyFor(cancel, 'INVITE')
}

function keyFor(fields: ServerMatchFields, method: string): string {
  // Host names compare without regard to case (RFC 3261 §19.1.4); the branch, a token
  // chosen by the client, compares exactly.
  const sentBy = fields.sentBy.toLowerCase()
  if (isRfc3261Branch(fields.branch)) {
    return JSON.stringify(['server', fields.branch, sentBy, method])
  }
  return JSON.stringify([
    'server-2543',
    fields.requestUri,
    fields.fromTag ?? '',
    fields.callId,
    fields.cseqNumber,
    fields.branch ?? '',
    sentBy,
    method,
  ])
}
