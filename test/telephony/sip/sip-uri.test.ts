/**
 * SIP and tel URIs: the parts of sip:/sips: URIs (user, dropped password, host names, IPv4 and
 * bracketed IPv6, port, parameters, ?headers), escaping of the user part both ways, tel:
 * numbers with their parameters, round trips, and refusals.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  SipParseError,
  type SipParseErrorCode,
} from '../../../src/telephony/sip/sip-parse-error.js'
import {
  formatHostPort,
  formatUri,
  isIpv6,
  parseHostPort,
  parseSipUri,
  parseUri,
  type SipUri,
} from '../../../src/telephony/sip/sip-uri.js'

function expectSipError(fn: () => unknown, code: SipParseErrorCode): void {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof SipParseError, `not a SipParseError: ${String(error)}`)
    assert.equal(error.code, code, error.message)
    return true
  })
}

function sip(parts: Partial<SipUri>): SipUri {
  return {
    scheme: 'sip',
    user: undefined,
    host: 'example.com',
    port: undefined,
    params: new Map(),
    headers: [],
    ...parts,
  }
}

describe('sip: and sips: URIs', () => {
  it('reads user, host, port, parameters and headers', () => {
    const uri = parseSipUri(
      'sip:+12125550100@198.51.100.7:5060;user=phone;transport=UDP;lr?Subject=fax%20call&Priority=urgent',
    )
    assert.deepEqual(uri, {
      scheme: 'sip',
      user: '+12125550100',
      host: '198.51.100.7',
      port: 5060,
      params: new Map([
        ['user', 'phone'],
        ['transport', 'UDP'],
        ['lr', null],
      ]),
      headers: [
        ['Subject', 'fax call'],
        ['Priority', 'urgent'],
      ],
    })
  })

  it('reads a URI without a user, sips, upper-case schemes and parameter names', () => {
    assert.deepEqual(parseUri('SIPS:trunk.example.com;MADDR=239.255.255.1;ttl=15'), {
      scheme: 'sips',
      user: undefined,
      host: 'trunk.example.com',
      port: undefined,
      params: new Map([
        ['maddr', '239.255.255.1'],
        ['ttl', '15'],
      ]),
      headers: [],
    })
  })

  it('reads IPv6 hosts in brackets, with and without a port', () => {
    assert.equal(parseSipUri('sip:faxd@[2001:db8::10]').host, '2001:db8::10')
    assert.equal(parseSipUri('sip:[::1]:5080').port, 5080)
    assert.equal(parseSipUri('sip:a@[::ffff:192.0.2.1];transport=udp').host, '::ffff:192.0.2.1')
    assert.equal(
      formatUri(parseSipUri('sip:faxd@[2001:db8::10]:5060')),
      'sip:faxd@[2001:db8::10]:5060',
    )
    for (const address of ['::', '1::', '1:2:3:4:5:6:7:8', 'fe80::1:2', '::ffff:1.2.3.4']) {
      assert.ok(isIpv6(address), address)
    }
    for (const address of [
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '12345::',
      ':::',
      '1:2:3:4:5:6:7',
      'fe80::1%eth0',
      '::1.2.3.256',
    ]) {
      assert.ok(!isIpv6(address), address)
    }
  })

  it('unescapes the user part and drops the password', () => {
    const uri = parseSipUri('sip:alice%20smith;day=tuesday:secret@atlanta.com')
    assert.equal(uri.user, 'alice smith;day=tuesday')
    assert.equal(formatUri(uri), 'sip:alice%20smith;day=tuesday@atlanta.com')
    assert.equal(parseSipUri('sip:%C3%BCber@example.com').user, 'über')
    assert.equal(parseSipUri('sip:*67#@example.com').user, '*67#', 'dial strings arrive unescaped')
  })

  it('escapes what the user part may not hold', () => {
    assert.equal(formatUri(sip({ user: 'a b@c#d%' })), 'sip:a%20b%40c%23d%25@example.com')
    assert.equal(formatUri(sip({ user: 'Müller' })), 'sip:M%C3%BCller@example.com')
    assert.equal(
      formatUri(sip({ user: "+1&=$,;?/-_.!~*'()" })),
      "sip:+1&=$,;?/-_.!~*'()@example.com",
    )
    const round = parseSipUri(formatUri(sip({ user: 'a b@c#d%ü' })))
    assert.equal(round.user, 'a b@c#d%ü')
  })

  it('escapes parameters and headers, and round-trips', () => {
    const uri = sip({
      user: 'faxd',
      port: 5061,
      params: new Map([
        ['transport', 'tls'],
        ['x', 'a b'],
        ['lr', null],
      ]),
      headers: [['Subject', 'a&b=c']],
    })
    const text = formatUri(uri)
    assert.equal(text, 'sip:faxd@example.com:5061;transport=tls;x=a%20b;lr?Subject=a%26b%3Dc')
    assert.deepEqual(parseSipUri(text), uri)
  })

  it('refuses malformed URIs', () => {
    for (const text of [
      '',
      'sip:',
      'sip:@example.com',
      'sip:a@',
      'sip:a b@example.com',
      'sip:a@exa mple.com',
      'sip:a@example.com:port',
      'sip:a@example.com:65536',
      'sip:a@[2001:db8::1',
      'sip:a@[not-v6]',
      'sip:a@b@c',
      'sip:a%zz@example.com',
      'sip:%ff@example.com',
      'sip:a@example.com;=x',
      'sip:a@example.com;lr;lr',
      'sip:a@example.com;x=a b',
      'sip:a@example.com?noequals',
      'sip:a@example.com?=x',
      'sip:a@-example.com',
      'http://example.com/',
      'mailto:a@example.com',
      `sip:a@${'x'.repeat(5000)}`,
    ]) {
      expectSipError(() => parseUri(text), 'bad-uri')
    }
    expectSipError(() => parseSipUri('tel:+12125550100'), 'bad-uri')
  })

  it('refuses to format what would not parse', () => {
    expectSipError(() => formatUri(sip({ host: 'a b' })), 'bad-argument')
    expectSipError(() => formatUri(sip({ host: '1:2' })), 'bad-argument')
    expectSipError(() => formatUri(sip({ user: '' })), 'bad-argument')
    expectSipError(() => formatUri(sip({ port: 65536 })), 'bad-argument')
    expectSipError(() => formatUri(sip({ params: new Map([['', 'x']]) })), 'bad-argument')
    expectSipError(() => formatUri(sip({ headers: [['', 'x']] })), 'bad-argument')
    expectSipError(
      () => formatUri({ scheme: 'tel', number: '12 34', params: new Map() }),
      'bad-argument',
    )
  })
})

describe('tel: URIs (RFC 3966)', () => {
  it('reads global and local numbers with their parameters', () => {
    assert.deepEqual(parseUri('tel:+1-212-555-0100;ext=12'), {
      scheme: 'tel',
      number: '+1-212-555-0100',
      params: new Map([['ext', '12']]),
    })
    assert.deepEqual(parseUri('tel:7042;phone-context=example.com'), {
      scheme: 'tel',
      number: '7042',
      params: new Map([['phone-context', 'example.com']]),
    })
    assert.equal(
      formatUri(parseUri('tel:+1(212)555.0100;isub=1411')),
      'tel:+1(212)555.0100;isub=1411',
    )
  })

  it('refuses what is not a number', () => {
    for (const text of ['tel:', 'tel:+', 'tel:abc-xyz', 'tel:+1 212', 'tel:12+3', 'tel:+1;;x']) {
      expectSipError(() => parseUri(text), 'bad-uri')
    }
  })
})

describe('host and port', () => {
  it('reads and writes host[:port] with LWS (as Via sends it) and brackets for IPv6', () => {
    assert.deepEqual(parseHostPort('host.example.com : 5060', 'bad-header'), {
      host: 'host.example.com',
      port: 5060,
    })
    assert.deepEqual(parseHostPort('[::1]', 'bad-uri'), { host: '::1', port: undefined })
    assert.equal(formatHostPort('::1', 5060), '[::1]:5060')
    assert.equal(formatHostPort('192.0.2.1'), '192.0.2.1')
    expectSipError(() => parseHostPort('[::1]x', 'bad-header'), 'bad-header')
    expectSipError(() => parseHostPort('a:', 'bad-uri'), 'bad-uri')
  })
})
