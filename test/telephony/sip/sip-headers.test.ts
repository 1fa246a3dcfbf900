/**
 * Typed header readers and builders: Via (sent-by with IPv6, LWS, branch, received, rport),
 * name-addr (display names quoted and bare, addr-spec whose `;` params belong to the header),
 * CSeq, Call-ID, Max-Forwards, Expires, RFC 4028 session timers, Digest challenges and
 * credentials with quoted commas. Each builder's output reads back to what was built.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  BRANCH_MAGIC_COOKIE,
  formatCSeq,
  formatDigestChallenge,
  formatDigestCredentials,
  formatMinSe,
  formatNameAddr,
  formatSessionExpires,
  formatVia,
  parseAuthHeader,
  parseCSeq,
  parseCallId,
  parseDigestChallenge,
  parseDigestCredentials,
  parseExpires,
  parseMaxForwards,
  parseMinSe,
  parseNameAddr,
  parseSessionExpires,
  parseVia,
} from '../../../src/telephony/sip/sip-headers.js'
import {
  SipParseError,
  type SipParseErrorCode,
} from '../../../src/telephony/sip/sip-parse-error.js'
import { parseSipUri } from '../../../src/telephony/sip/sip-uri.js'

function expectSipError(fn: () => unknown, code: SipParseErrorCode): void {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof SipParseError, `not a SipParseError: ${String(error)}`)
    assert.equal(error.code, code, error.message)
    return true
  })
}

describe('Via', () => {
  it('reads sent-protocol, sent-by and the parameters a UA acts on', () => {
    const via = parseVia(
      'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9;rport;received=203.0.113.5',
    )
    assert.equal(via.protocol, 'SIP/2.0')
    assert.equal(via.transport, 'UDP')
    assert.equal(via.host, '192.0.2.10')
    assert.equal(via.port, 5060)
    assert.equal(via.branch, 'z9hG4bK74bf9')
    assert.ok(via.branch?.startsWith(BRANCH_MAGIC_COOKIE))
    assert.equal(via.rport, null, 'rport asked for, not yet filled in')
    assert.equal(via.received, '203.0.113.5')
    assert.deepEqual([...via.params.keys()], ['branch', 'rport', 'received'])
  })

  it('reads LWS around the slashes and colon, lower case, an IPv6 sent-by and rport values', () => {
    const via = parseVia(
      'sip / 2.0 / udp   [2001:db8::1] : 5070 ; BRANCH = z9hG4bKx ; rport=49152 ; ttl=16',
    )
    assert.equal(via.protocol, 'SIP/2.0')
    assert.equal(via.transport, 'UDP')
    assert.equal(via.host, '2001:db8::1')
    assert.equal(via.port, 5070)
    assert.equal(via.branch, 'z9hG4bKx')
    assert.equal(via.rport, 49152)
    assert.equal(via.params.get('ttl'), '16')
    assert.equal(parseVia('SIP/2.0/TLS host.example.com').port, undefined)
    assert.equal(parseVia('SIP/2.0/UDP 10.0.0.1;received=2001:db8::9').received, '2001:db8::9')
  })

  it('builds a Via, and echoes one with received and rport filled in (RFC 3581)', () => {
    const built = formatVia({
      transport: 'udp',
      host: '192.0.2.10',
      port: 5060,
      branch: 'z9hG4bK1',
      rport: null,
    })
    assert.equal(built, 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1;rport')
    const received = parseVia(built)
    const echoed = formatVia({ ...received, received: '203.0.113.5', rport: 40312 })
    assert.equal(
      echoed,
      'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1;rport=40312;received=203.0.113.5',
    )
    assert.equal(parseVia(echoed).rport, 40312)
    assert.equal(
      formatVia({ transport: 'TCP', host: '2001:db8::1', branch: 'z9hG4bK2' }),
      'SIP/2.0/TCP [2001:db8::1];branch=z9hG4bK2',
    )
  })

  it('refuses malformed Vias', () => {
    for (const value of [
      '',
      'SIP/2.0/UDP',
      'SIP/2.0 192.0.2.1',
      'SIP/2.0/UDP 192.0.2.1:99999',
      'SIP/2.0/UDP [2001:db8::1:5060',
      'SIP/2.0/UDP 192.0.2.1;branch',
      'SIP/2.0/UDP 192.0.2.1;branch=a;branch=b',
      'SIP/2.0/UDP 192.0.2.1;rport=x',
      'SIP/2.0/UDP 192.0.2.1;received',
      'SIP/2.0/UDP host name',
      'SIP/2.0/UDP 192.0.2.1;=x',
      'SIP/2.0/UDP 192.0.2.1;x="unterminated',
    ]) {
      expectSipError(() => parseVia(value), 'bad-header')
    }
    expectSipError(() => formatVia({ transport: 'U DP', host: 'a' }), 'bad-argument')
    expectSipError(() => formatVia({ transport: 'UDP', host: 'a b' }), 'bad-argument')
    expectSipError(() => formatVia({ transport: 'UDP', host: 'a', branch: 'x;y' }), 'bad-argument')
    expectSipError(() => formatVia({ transport: 'UDP', host: 'a', port: 70000 }), 'bad-argument')
  })
})

describe('name-addr: From, To, Contact', () => {
  it('reads a quoted display name with escapes and commas, the URI and the tag', () => {
    const from = parseNameAddr(
      '"Doe, \\"JD\\" John" <sip:+13125550199@192.0.2.10;user=phone>;tag=9fxced76sl',
    )
    assert.equal(from.displayName, 'Doe, "JD" John')
    assert.equal(from.uri, 'sip:+13125550199@192.0.2.10;user=phone')
    assert.equal(from.tag, '9fxced76sl')
    assert.deepEqual([...from.params], [['tag', '9fxced76sl']])
    assert.equal(parseSipUri(from.uri).params.get('user'), 'phone')
  })

  it('reads a bare display name, and none at all', () => {
    assert.equal(parseNameAddr('Acme Fax <sip:a@b>').displayName, 'Acme Fax')
    assert.equal(parseNameAddr('<sip:a@b>').displayName, undefined)
    assert.equal(parseNameAddr('""<sip:a@b>').displayName, '')
  })

  it("gives an addr-spec's ;params to the header, not the URI (RFC 3261 §20.10)", () => {
    const to = parseNameAddr('sip:faxd@192.0.2.10;tag=as5d8e1c2a;expires=60')
    assert.equal(to.uri, 'sip:faxd@192.0.2.10')
    assert.equal(to.tag, 'as5d8e1c2a')
    assert.equal(to.expires, 60)
    const tel = parseNameAddr('tel:+12125550100;tag=1')
    assert.equal(tel.uri, 'tel:+12125550100')
  })

  it('reads Contact expires, q and a quoted +sip.instance', () => {
    const contact = parseNameAddr(
      '<sip:faxd@192.0.2.10:5060;transport=udp>;expires=3600;q=0.7;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"',
    )
    assert.equal(contact.expires, 3600)
    assert.equal(contact.params.get('q'), '0.7')
    assert.equal(
      contact.params.get('+sip.instance'),
      '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"',
    )
    assert.equal(parseNameAddr('<sip:a@b>;expires=99999999999').expires, 2 ** 32 - 1)
  })

  it('builds name-addrs, always with angle brackets, and reads them back', () => {
    const built = formatNameAddr({
      displayName: 'Büro "Nord"',
      uri: 'sip:a;b@example.com',
      tag: 'x1',
    })
    assert.equal(built, '"Büro \\"Nord\\"" <sip:a;b@example.com>;tag=x1')
    const read = parseNameAddr(built)
    assert.equal(read.displayName, 'Büro "Nord"')
    assert.equal(read.uri, 'sip:a;b@example.com')
    assert.equal(read.tag, 'x1')
    const fromUri = formatNameAddr({
      uri: {
        scheme: 'sip',
        user: 'faxd',
        host: '2001:db8::1',
        port: 5060,
        params: new Map(),
        headers: [],
      },
      expires: 0,
      params: new Map([['q', '1.0']]),
    })
    assert.equal(fromUri, '<sip:faxd@[2001:db8::1]:5060>;q=1.0;expires=0')
  })

  it('refuses malformed name-addrs and builder input', () => {
    for (const value of [
      '',
      '*',
      'Alice',
      '<sip:a@b',
      '"Alice <sip:a@b>',
      '"Alice" sip:a@b',
      '<sip:a@b> junk',
      '<not a uri>',
      '<sip:a@b>;tag',
      '<sip:a@b>;tag=a;tag=b',
      '<sip:a@b>;expires=soon',
      'a;b <sip:a@b>',
    ]) {
      expectSipError(() => parseNameAddr(value), 'bad-header')
    }
    expectSipError(() => formatNameAddr({ uri: 'sip:a@b', tag: 'a b' }), 'bad-argument')
    expectSipError(() => formatNameAddr({ uri: 'sip:a@b>' }), 'bad-argument')
    expectSipError(
      () => formatNameAddr({ displayName: 'line\r\nbreak', uri: 'sip:a@b' }),
      'bad-argument',
    )
    expectSipError(() => formatNameAddr({ uri: 'sip:a@b', expires: -1 }), 'bad-argument')
  })
})

describe('CSeq, Call-ID, Max-Forwards, Expires', () => {
  it('reads and builds CSeq', () => {
    assert.deepEqual(parseCSeq('  4711   INVITE '), { seq: 4711, method: 'INVITE' })
    assert.deepEqual(parseCSeq('4294967295 BYE'), { seq: 4294967295, method: 'BYE' })
    assert.equal(formatCSeq({ seq: 2, method: 'ACK' }), '2 ACK')
    for (const value of ['INVITE', '1', '1 IN VITE', '4294967296 BYE', '-1 BYE', '1.5 BYE']) {
      expectSipError(() => parseCSeq(value), 'bad-header')
    }
    expectSipError(() => formatCSeq({ seq: -1, method: 'BYE' }), 'bad-argument')
    expectSipError(() => formatCSeq({ seq: 1, method: 'B YE' }), 'bad-argument')
  })

  it('reads Call-IDs as they are (case-sensitive), and refuses spaces', () => {
    assert.equal(parseCallId(' f81d4fae-7dec@Foo.Bar.com '), 'f81d4fae-7dec@Foo.Bar.com')
    assert.equal(parseCallId('a{b}[c]<d>"e"\\f/g?h'), 'a{b}[c]<d>"e"\\f/g?h')
    for (const value of ['', 'a b', 'a@b@c', '@b', 'é']) {
      expectSipError(() => parseCallId(value), 'bad-header')
    }
  })

  it('reads Max-Forwards from 0 to 255 and Expires clamped to 2³² − 1', () => {
    assert.equal(parseMaxForwards('70'), 70)
    assert.equal(parseMaxForwards('0'), 0)
    for (const value of ['256', '-1', 'x', '', '1000']) {
      expectSipError(() => parseMaxForwards(value), 'bad-header')
    }
    assert.equal(parseExpires('3600'), 3600)
    assert.equal(parseExpires('4294967296'), 4294967295)
    assert.equal(parseExpires('0000000000000000000001'), 4294967295)
    expectSipError(() => parseExpires('Thu, 01 Dec 1994 16:00:00 GMT'), 'bad-header')
  })
})

describe('session timers (RFC 4028)', () => {
  it('reads Session-Expires with and without a refresher, in compact or long form', () => {
    assert.deepEqual(
      { ...parseSessionExpires('1800;refresher=uac'), params: undefined },
      { deltaSeconds: 1800, refresher: 'uac', params: undefined },
    )
    assert.equal(parseSessionExpires('4000 ; REFRESHER = UAS').refresher, 'uas')
    assert.equal(parseSessionExpires('90').refresher, undefined)
    assert.equal(parseSessionExpires('1800;x-extra=1').params.get('x-extra'), '1')
    for (const value of ['', 'soon', '1800;refresher=both', '1800;refresher']) {
      expectSipError(() => parseSessionExpires(value), 'bad-header')
    }
  })

  it('builds Session-Expires and Min-SE', () => {
    assert.equal(
      formatSessionExpires({ deltaSeconds: 1800, refresher: 'uas' }),
      '1800;refresher=uas',
    )
    assert.equal(formatSessionExpires({ deltaSeconds: 90 }), '90')
    assert.equal(formatMinSe(90), '90')
    assert.equal(parseMinSe('120;x=1'), 120)
    expectSipError(() => parseMinSe('1 20'), 'bad-header')
    expectSipError(() => formatMinSe(1.5), 'bad-argument')
  })
})

describe('Digest challenges and credentials', () => {
  it('reads a challenge with quoted commas, a qop list, stale and opaque', () => {
    const challenge = parseDigestChallenge(
      'Digest realm="trunk, east", domain="sip:trunk.example.com", nonce="a,b=c", opaque="5ccc069c", stale=TRUE, algorithm=MD5, qop="auth, auth-int"',
    )
    assert.equal(challenge.realm, 'trunk, east')
    assert.equal(challenge.domain, 'sip:trunk.example.com')
    assert.equal(challenge.nonce, 'a,b=c')
    assert.equal(challenge.opaque, '5ccc069c')
    assert.equal(challenge.stale, true)
    assert.equal(challenge.algorithm, 'MD5')
    assert.deepEqual(challenge.qop, ['auth', 'auth-int'])
  })

  it('reads the forms peers send: no qop (RFC 2069), quoted algorithm, odd spacing and case', () => {
    const old = parseDigestChallenge('digest   REALM = "r" ,NONCE="n"')
    assert.deepEqual(
      [old.realm, old.nonce, old.qop, old.stale, old.algorithm],
      ['r', 'n', [], false, undefined],
    )
    assert.equal(
      parseDigestChallenge('Digest realm="r", nonce="n", algorithm="SHA-256"').algorithm,
      'SHA-256',
    )
    assert.equal(parseDigestChallenge('Digest realm="r", nonce="n", stale=false').stale, false)
    assert.equal(parseDigestChallenge('Digest realm="a \\"q\\" b", nonce="n"').realm, 'a "q" b')
  })

  it('builds a challenge that reads back', () => {
    const init = {
      realm: 'faxd, inc',
      nonce: 'n"1',
      opaque: 'o',
      algorithm: 'MD5',
      qop: ['auth'],
      stale: true,
    }
    const value = formatDigestChallenge(init)
    assert.equal(
      value,
      'Digest realm="faxd, inc", nonce="n\\"1", opaque="o", stale=TRUE, algorithm=MD5, qop="auth"',
    )
    const read = parseDigestChallenge(value)
    assert.deepEqual(
      [read.realm, read.nonce, read.opaque, read.algorithm, read.qop, read.stale],
      ['faxd, inc', 'n"1', 'o', 'MD5', ['auth'], true],
    )
  })

  it('reads and builds credentials with RFC 3261 §25 quoting (qop and nc bare)', () => {
    const init = {
      username: 'faxd',
      realm: 'sip.example.net',
      nonce: 'ea9c8e88df84f1cec4341ae6cbe5a359',
      uri: 'sip:sip.example.net',
      response: 'dfe56131d1958046689d83306477ecc',
      algorithm: 'MD5',
      cnonce: '0a4f113b',
      opaque: 'x,y',
      qop: 'auth',
      nc: '00000001',
    }
    const value = formatDigestCredentials(init)
    assert.equal(
      value,
      'Digest username="faxd", realm="sip.example.net", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", uri="sip:sip.example.net", response="dfe56131d1958046689d83306477ecc", algorithm=MD5, cnonce="0a4f113b", opaque="x,y", qop=auth, nc=00000001',
    )
    const { params, ...read } = parseDigestCredentials(value)
    assert.deepEqual(read, init)
    assert.equal(params.size, 10)
    expectSipError(() => formatDigestCredentials({ ...init, nc: '1' }), 'bad-argument')
    expectSipError(() => formatDigestCredentials({ ...init, qop: 'auth int' }), 'bad-argument')
  })

  it('reads other schemes generically and refuses malformed challenges', () => {
    assert.deepEqual(
      [...parseAuthHeader('Bearer realm="x", scope="a b"').params],
      [
        ['realm', 'x'],
        ['scope', 'a b'],
      ],
    )
    for (const value of [
      '',
      'Basic realm="r"',
      'Digest',
      'Digest realm="r"',
      'Digest nonce="n"',
      'Digest realm="r", nonce="n',
      'Digest realm="r" nonce="n"',
      'Digest realm="r", realm="s", nonce="n"',
      'Digest realm=, nonce="n"',
      'Digest realm "r", nonce="n"',
      'Digest =x',
    ]) {
      expectSipError(() => parseDigestChallenge(value), 'bad-header')
    }
    expectSipError(
      () => parseDigestCredentials('Digest username="u", realm="r", nonce="n", uri="u"'),
      'bad-header',
    )
  })
})
