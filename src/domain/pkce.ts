/**
 * Proof Key for Code Exchange (RFC 7636). A client that sends `code_challenge` at /login must
 * send the matching `code_verifier` with the code at /token, so a code stolen on its way back
 * (a malicious app registered for the same private-use scheme, a leaked redirect) is useless to
 * whoever lacks the verifier. Only S256 is taken: "plain" would hand the verifier to anyone who
 * sees the authorization request (RFC 9700 §2.1.1 recommends S256).
 */
import { equalInConstantTime, sha256Base64url } from '../shared/secrets.js'

/** BASE64URL of a SHA-256: 43 characters (RFC 7636 §4.2). */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/
/** RFC 7636 §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

/**
 * The challenge to keep with the code: null when the client sent none; a problem (for an
 * `invalid_request` redirect) when it sent one that cannot be used.
 */
export function readCodeChallenge(
  challenge: string | undefined,
  method: string | undefined,
): { readonly challenge: string | null } | { readonly problem: string } {
  if (challenge === undefined || challenge === '') {
    return method === undefined || method === ''
      ? { challenge: null }
      : { problem: 'code_challenge_method came without code_challenge' }
  }
  if (method !== 'S256') {
    // RFC 7636 §4.3: without a method the client means "plain", which is not taken either.
    return { problem: 'code_challenge_method must be S256; plain is not accepted' }
  }
  if (!CHALLENGE.test(challenge)) {
    return { problem: 'code_challenge must be the 43-character BASE64URL of a SHA-256' }
  }
  return { challenge }
}

export function isCodeVerifier(text: string): boolean {
  return VERIFIER.test(text)
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  return equalInConstantTime(sha256Base64url(verifier), challenge)
}
