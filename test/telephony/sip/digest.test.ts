import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'

import {
  type DigestChallenge,
  type DigestInput,
  authorizationHeaderValue,
  chooseQop,
  digestAlgorithmFrom,
  digestAuthorization,
  formatNonceCount,
} from '../../../src/telephony/sip/digest.js'

const md5 = (s: string) => createHash('md5').update(s).digest('hex')

/** RFC 2617 §3.5: GET /dir/index.html, user Mufasa, password "Circle Of Life". */
const RFC2617_CHALLENGE: DigestChallenge = {
  realm: 'testrealm@host.com',
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  opaque: '5ccc069c403ebaf9f0171e9517f40e41',
  qop: ['auth', 'auth-int'],
}
const RFC2617: DigestInput = {
  challenge: RFC2617_CHALLENGE,
  credentials: { username: 'Mufasa', password: 'Circle Of Life' },
  method: 'GET',
  uri: '/dir/index.html',
  nonceCount: 1,
  cnonce: '0a4f113b',
}

/**
 * RFC 7616 §3.9.1: the same request against a different realm and nonce, with the password
 * "Circle of Life" (lower-case "of", unlike RFC 2617's example).
 */
const RFC7616: DigestInput = {
  challenge: {
    realm: 'http-auth@example.org',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    qop: ['auth', 'auth-int'],
    algorithm: 'SHA-256',
  },
  credentials: { username: 'Mufasa', password: 'Circle of Life' },
  method: 'GET',
  uri: '/dir/index.html',
  nonceCount: 1,
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
}

test('answers the RFC 2617 §3.5 example with its published response', () => {
  const auth = digestAuthorization(RFC2617)
  assert.equal(auth.response, '6629fae49393a05397450978507c4ef1')
  assert.equal(auth.qop, 'auth')
  assert.equal(auth.nc, '00000001')
  assert.equal(
    authorizationHeaderValue(RFC2617),
    'Digest username="Mufasa", realm="testrealm@host.com", ' +
      'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", ' +
      'response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", ' +
      'opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001',
  )
})

test('answers the RFC 7616 §3.9.1 example with SHA-256 and with MD5', () => {
  const sha = digestAuthorization(RFC7616)
  assert.equal(sha.response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1')
  assert.equal(sha.algorithm, 'SHA-256')
  assert.match(authorizationHeaderValue(RFC7616), /, algorithm=SHA-256, /)

  const viaMd5 = digestAuthorization({
    ...RFC7616,
    challenge: { ...RFC7616.challenge, algorithm: 'MD5' },
  })
  assert.equal(viaMd5.response, '8ca523f5e9506fed4657c9700eebdbec')
})

test('uses the RFC 2069 form when the challenge offers no qop', () => {
  const input: DigestInput = {
    ...RFC2617,
    challenge: { realm: RFC2617_CHALLENGE.realm, nonce: RFC2617_CHALLENGE.nonce },
  }
  const auth = digestAuthorization(input)
  const ha1 = md5('Mufasa:testrealm@host.com:Circle Of Life')
  const ha2 = md5('GET:/dir/index.html')
  assert.equal(auth.response, md5(`${ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:${ha2}`))
  const header = authorizationHeaderValue(input)
  assert.doesNotMatch(header, /qop=|nc=|cnonce=|opaque=/)
  assert.match(header, /algorithm=MD5/)
})

test('computes a SIP REGISTER answer as RFC 3261 §22.4 describes', () => {
  // The SIP form: the digest-uri is the Request-URI, the method the SIP method.
  const input: DigestInput = {
    challenge: { realm: 'atlanta.example.com', nonce: 'ea9c8e88df84f1cec4341ae6cbe5a359' },
    credentials: { username: 'bob', password: 'zanzibar' },
    method: 'REGISTER',
    uri: 'sip:atlanta.example.com',
    nonceCount: 1,
    cnonce: 'unused',
  }
  const ha1 = md5('bob:atlanta.example.com:zanzibar')
  const ha2 = md5('REGISTER:sip:atlanta.example.com')
  assert.equal(
    digestAuthorization(input).response,
    md5(`${ha1}:ea9c8e88df84f1cec4341ae6cbe5a359:${ha2}`),
  )
})

test('MD5-sess hashes the nonce and cnonce into HA1', () => {
  const input: DigestInput = {
    ...RFC2617,
    challenge: { ...RFC2617_CHALLENGE, algorithm: 'MD5-sess', qop: ['auth'] },
    nonceCount: 2,
  }
  const ha1 = md5(
    `${md5('Mufasa:testrealm@host.com:Circle Of Life')}:dcd98b7102dd2f0e8b11d0f600bfb0c093:0a4f113b`,
  )
  const ha2 = md5('GET:/dir/index.html')
  const auth = digestAuthorization(input)
  assert.equal(
    auth.response,
    md5(`${ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000002:0a4f113b:auth:${ha2}`),
  )
  assert.match(authorizationHeaderValue(input), /algorithm=MD5-sess, .*qop=auth, nc=00000002/)
})

test('SHA-256-sess follows the same construction with SHA-256', () => {
  const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
  const input: DigestInput = {
    ...RFC7616,
    challenge: { ...RFC7616.challenge, algorithm: 'SHA-256-sess', qop: ['auth'] },
  }
  const { realm, nonce } = input.challenge
  const ha1 = sha256(`${sha256(`Mufasa:${realm}:Circle of Life`)}:${nonce}:${input.cnonce}`)
  const ha2 = sha256('GET:/dir/index.html')
  assert.equal(
    digestAuthorization(input).response,
    sha256(`${ha1}:${nonce}:00000001:${input.cnonce}:auth:${ha2}`),
  )
})

test('qop=auth-int hashes the body into HA2, and an empty body as the empty string', () => {
  const sdp = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n'
  const input: DigestInput = {
    ...RFC2617,
    challenge: { ...RFC2617_CHALLENGE, qop: ['auth-int'] },
    method: 'INVITE',
    uri: 'sip:+15550100@trunk.example.net',
    body: sdp,
  }
  const ha1 = md5('Mufasa:testrealm@host.com:Circle Of Life')
  const expect = (body: string) =>
    md5(
      `${ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth-int:` +
        md5(`INVITE:sip:+15550100@trunk.example.net:${md5(body)}`),
    )
  const auth = digestAuthorization(input)
  assert.equal(auth.qop, 'auth-int')
  assert.equal(auth.response, expect(sdp))
  // The same body as octets gives the same answer.
  assert.equal(
    digestAuthorization({ ...input, body: new TextEncoder().encode(sdp) }).response,
    expect(sdp),
  )
  assert.equal(digestAuthorization({ ...input, body: undefined }).response, expect(''))
  assert.match(authorizationHeaderValue(input), /qop=auth-int, nc=00000001$/)
})

test('prefers qop=auth when both are offered', () => {
  assert.equal(chooseQop(['auth-int', 'auth']), 'auth')
  assert.equal(chooseQop(['auth-int']), 'auth-int')
  assert.equal(chooseQop([]), undefined)
  assert.equal(chooseQop(undefined), undefined)
})

test('formats the nonce count as eight lowercase hex digits', () => {
  assert.equal(formatNonceCount(1), '00000001')
  assert.equal(formatNonceCount(255), '000000ff')
  assert.equal(formatNonceCount(0xffff_ffff), 'ffffffff')
  assert.throws(() => formatNonceCount(0), RangeError)
  assert.throws(() => formatNonceCount(1.5), RangeError)
})

test('escapes quotes and backslashes in quoted fields', () => {
  const header = authorizationHeaderValue({
    ...RFC2617,
    credentials: { username: 'a"b\\c', password: 'x' },
  })
  assert.match(header, /^Digest username="a\\"b\\\\c", /)
})

test('reads algorithm tokens without regard to case and rejects unknown ones', () => {
  assert.equal(digestAlgorithmFrom('md5'), 'MD5')
  assert.equal(digestAlgorithmFrom('sha-256-SESS'), 'SHA-256-sess')
  assert.equal(digestAlgorithmFrom('SHA-512-256'), null)
})
