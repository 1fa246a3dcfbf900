/**
 * How failed sign-ins slow the next ones (NIST SP 800-63B §5.2.2, "Rate Limiting"). Failures are
 * counted under three keys:
 * - the pair of account and network address: one person mistyping, or one attacker on one
 *   account. A few free tries, then a wait that doubles with each failure, up to 15 minutes;
 * - the network address: one attacker trying many accounts. More free tries, up to an hour;
 * - the account: many addresses trying one account (a botnet). The wait is capped at 5 minutes,
 *   and does not hold back an address the account signed in from successfully in the last 30
 *   days, so an attacker cannot lock the real user out for long, nor at all from where they
 *   usually sign in.
 * While a key waits, a sign-in is refused without looking at the password (429 with
 * Retry-After), so the wait cannot be spent guessing. A count is forgotten a day after its last
 * failure, and at a successful sign-in (for the pair and the account).
 * The account key is the address as typed (normalised), whether or not an account has it, so
 * the answers do not tell which addresses have accounts.
 */
export interface ThrottleRule {
  /** Failures that cost nothing. */
  readonly freeFailures: number
  /** The longest wait after a failure. */
  readonly maxWaitMs: number
}

export const PAIR_RULE: ThrottleRule = { freeFailures: 5, maxWaitMs: 15 * 60_000 }
export const ADDRESS_RULE: ThrottleRule = { freeFailures: 20, maxWaitMs: 60 * 60_000 }
export const ACCOUNT_RULE: ThrottleRule = { freeFailures: 10, maxWaitMs: 5 * 60_000 }

/** A count with no failure for this long starts again from zero. */
export const FORGET_FAILURES_AFTER_MS = 24 * 3_600_000
/** How long a successful sign-in makes its address trusted for the account. */
export const TRUSTED_ADDRESS_MS = 30 * 24 * 3_600_000

export interface SignInKeys {
  readonly pair: string
  readonly address: string
  readonly account: string
  /** Present (unexpired) when the address signed in to the account successfully of late. */
  readonly trusted: string
}

export function signInKeys(email: string, address: string): SignInKeys {
  return {
    pair: `pair:${email} ${address}`,
    address: `address:${address}`,
    account: `account:${email}`,
    trusted: `trusted:${email} ${address}`,
  }
}

export function ruleOf(key: string): ThrottleRule {
  if (key.startsWith('pair:')) {
    return PAIR_RULE
  }
  return key.startsWith('address:') ? ADDRESS_RULE : ACCOUNT_RULE
}

/** The wait after the `failures`-th failure: none for the free ones, then 1 s, 2 s, 4 s… */
export function waitAfter(rule: ThrottleRule, failures: number): number {
  const paid = failures - rule.freeFailures
  if (paid <= 0) {
    return 0
  }
  return Math.min(rule.maxWaitMs, 1000 * 2 ** Math.min(paid - 1, 30))
}

export interface KeyState {
  readonly key: string
  readonly untilMs: number
}

/**
 * How long a sign-in must still wait, in milliseconds (0: it may go ahead), given the states of
 * its keys. The account's wait does not apply to a trusted address.
 */
export function waitBeforeSignIn(keys: SignInKeys, states: readonly KeyState[], nowMs: number) {
  const trusted = states.some((s) => s.key === keys.trusted && s.untilMs > nowMs)
  let until = 0
  for (const state of states) {
    const applies =
      state.key === keys.pair ||
      state.key === keys.address ||
      (state.key === keys.account && !trusted)
    if (applies) {
      until = Math.max(until, state.untilMs)
    }
  }
  return Math.max(0, until - nowMs)
}
