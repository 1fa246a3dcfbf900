/**
 * HTTP Digest authentication as SIP uses it (RFC 3261 §22.4, which takes RFC 2617 "with the
 * modifications" that SIP has no Basic and no `domain` for proxies), plus RFC 7616's SHA-256
 * algorithms, which SIP trunks have begun to offer (RFC 8760 registers them for SIP).
 *
 * A registrar or proxy answers a request with 401 (WWW-Authenticate) or 407
 * (Proxy-Authenticate); the UAC repeats the request with an Authorization or
 * Proxy-Authorization header whose value this module computes. It is pure: the challenge comes
 * in as an object (parsing the header text is sip-headers.ts's job), the client nonce and the
 * nonce count come in as arguments, so the same inputs always give the same header.
 *
 * The method hashed into A2 is the method of the request that carries the credentials: the
 * re-sent INVITE or REGISTER, or a later BYE. An ACK or CANCEL cannot be challenged; the UA
 * copies the authenticated INVITE's header onto them rather than calling this again.
 */
import { createHash } from 'node:crypto'

/** The algorithm token of a challenge (RFC 2617 §3.2.1, RFC 7616 §3.3). Absent means MD5. */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess'

/** Quality of protection: `auth` covers the request line, `auth-int` also the body. */
export type DigestQop = 'auth' | 'auth-int'

/** What a WWW-Authenticate or Proxy-Authenticate header with the Digest scheme says. */
export interface DigestChallenge {
  readonly realm: string
  readonly nonce: string
  /** Returned unchanged to the server (RFC 2617 §3.2.1). */
  readonly opaque?: string
  readonly algorithm?: DigestAlgorithm
  /** The qop-options offered, if any; with none, the RFC 2069 form is used. */
  readonly qop?: readonly DigestQop[]
}

export interface DigestCredentials {
  readonly username: string
  readonly password: string
}

export interface DigestInput {
  readonly challenge: DigestChallenge
  readonly credentials: DigestCredentials
  /** The method of the request that carries the header (A2 = method ":" digest-uri). */
  readonly method: string
  /** The Request-URI of that request, exactly as sent (RFC 3261 §22.4: the digest-uri). */
  readonly uri: string
  /** The request's body; hashed only for qop=auth-int. Absent means empty. */
  readonly body?: string | Uint8Array
  /** How many requests have used this nonce, this one included: 1 for the first. */
  readonly nonceCount: number
  /** The client nonce (any opaque string without quotes); the caller makes it random. */
  readonly cnonce: string
}

/** The fields of an Authorization / Proxy-Authorization header with the Digest scheme. */
export interface DigestAuthorization {
  readonly username: string
  readonly realm: string
  readonly nonce: string
  readonly uri: string
  /** request-digest: 32 (MD5) or 64 (SHA-256) lowercase hex digits. */
  readonly response: string
  readonly algorithm: DigestAlgorithm
  readonly opaque?: string
  /** With the qop chosen, the nonce count (8 hex digits) and client nonce that went into it. */
  readonly qop?: DigestQop
  readonly nc?: string
  readonly cnonce?: string
}

const ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess']

/**
 * The algorithm named by a challenge's token, or null for one this module cannot compute
 * (SHA-512-256, say): the UA should then try another challenge or give up. Tokens compare
 * without regard to case, as Asterisk and the RFC 2617 grammar's examples allow ("md5").
 */
export function digestAlgorithmFrom(token: string): DigestAlgorithm | null {
  const wanted = token.toLowerCase()
  return ALGORITHMS.find((a) => a.toLowerCase() === wanted) ?? null
}

/**
 * Which qop to answer with: `auth` whenever it is offered (an SBC that rewrites the SDP on the
 * way breaks `auth-int`, and few servers check it), `auth-int` when only that is offered, none
 * when the challenge offers none.
 */
export function chooseQop(offered: readonly DigestQop[] | undefined): DigestQop | undefined {
  if (offered === undefined || offered.length === 0) {
    return undefined
  }
  return offered.includes('auth') ? 'auth' : offered.includes('auth-int') ? 'auth-int' : undefined
}

/** nonce-count: "the hexadecimal count ... 8LHEX" (RFC 2617 §3.2.2), e.g. 1 → "00000001". */
export function formatNonceCount(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > 0xffff_ffff) {
    throw new RangeError(`a nonce count is a whole number from 1 to 2^32 - 1, not ${count}`)
  }
  return count.toString(16).padStart(8, '0')
}

/** Computes the Digest answer to `challenge` for one request. */
export function digestAuthorization(input: DigestInput): DigestAuthorization {
  const { challenge, credentials, method, uri, cnonce } = input
  const algorithm = challenge.algorithm ?? 'MD5'
  const hash = algorithm.startsWith('SHA-256') ? sha256 : md5
  const qop = chooseQop(challenge.qop)
  const nc = qop === undefined ? undefined : formatNonceCount(input.nonceCount)

  // RFC 2617 §3.2.2.2 (and RFC 7616 §3.4.2 for SHA-256):
  //   A1 = unq(username-value) ":" unq(realm-value) ":" passwd
  //   for "-sess": A1 = H( unq(username-value) ":" unq(realm-value) ":" passwd )
  //                      ":" unq(nonce-value) ":" unq(cnonce-value)
  let ha1 = hash(`${credentials.username}:${challenge.realm}:${credentials.password}`)
  const session = algorithm.endsWith('-sess')
  if (session) {
    ha1 = hash(`${ha1}:${challenge.nonce}:${cnonce}`)
  }

  // RFC 2617 §3.2.2.3: A2 = Method ":" digest-uri-value, and for qop=auth-int
  //   A2 = Method ":" digest-uri-value ":" H(entity-body)
  // (RFC 3261 §22.4: with an empty body, H of the empty string.)
  const a2 = qop === 'auth-int' ? `${method}:${uri}:${hash(input.body ?? '')}` : `${method}:${uri}`
  const ha2 = hash(a2)

  // RFC 2617 §3.2.2.1: with qop, KD(H(A1), nonce:nc:cnonce:qop:H(A2));
  // without (the RFC 2069 form), KD(H(A1), nonce:H(A2)).
  const response =
    qop === undefined
      ? hash(`${ha1}:${challenge.nonce}:${ha2}`)
      : hash(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)

  return {
    username: credentials.username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri,
    response,
    algorithm,
    ...(challenge.opaque === undefined ? {} : { opaque: challenge.opaque }),
    // The server needs the cnonce to rebuild a "-sess" A1 even if, against RFC 7616, it
    // offered no qop; otherwise the cnonce goes only with a qop (RFC 2617 §3.2.2).
    ...(qop === undefined ? {} : { qop, nc }),
    ...(qop !== undefined || session ? { cnonce } : {}),
  }
}

/**
 * The header value, `Digest username="…", realm="…", …`. Quoted-string fields are quoted and
 * escaped (RFC 3261 §25.1 quoted-pair); algorithm, qop and nc are tokens and go bare
 * (RFC 3261 §25.1: `message-qop = "qop" EQUAL qop-value`, `nonce-count = "nc" EQUAL nc-value`, `nc-value = 8LHEX`).
 */
export function formatDigestAuthorization(auth: DigestAuthorization): string {
  const fields = [
    `username=${quote(auth.username)}`,
    `realm=${quote(auth.realm)}`,
    `nonce=${quote(auth.nonce)}`,
    `uri=${quote(auth.uri)}`,
    `response=${quote(auth.response)}`,
    `algorithm=${auth.algorithm}`,
  ]
  if (auth.cnonce !== undefined) {
    fields.push(`cnonce=${quote(auth.cnonce)}`)
  }
  if (auth.opaque !== undefined) {
    fields.push(`opaque=${quote(auth.opaque)}`)
  }
  if (auth.qop !== undefined && auth.nc !== undefined) {
    fields.push(`qop=${auth.qop}`, `nc=${auth.nc}`)
  }
  return `Digest ${fields.join(', ')}`
}

/** `digestAuthorization` then `formatDigestAuthorization`: the header value in one call. */
export function authorizationHeaderValue(input: DigestInput): string {
  return formatDigestAuthorization(digestAuthorization(input))
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

function md5(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex')
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}
