/**
 * A fax call's SIP messages, written for these tests in the shape trunks send them: faxd at
 * 192.0.2.10 calls +12125550100 through a trunk at 198.51.100.7 (INVITE with an audio offer,
 * 200 with the answer, ACK, a re-INVITE to T.38, BYE), and registers with a 401 challenge.
 * Each is written exactly as serializeSipMessage writes it (full names, CRLF, Content-Length
 * where the body's length puts it), so a parse and serialize gives the same octets.
 */

export const AUDIO_OFFER = [
  'v=0',
  'o=faxd 3894211 3894211 IN IP4 192.0.2.10',
  's=faxd',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  '',
].join('\r\n')

export const AUDIO_ANSWER = [
  'v=0',
  'o=- 1700000000 1700000001 IN IP4 198.51.100.7',
  's=-',
  'c=IN IP4 198.51.100.7',
  't=0 0',
  'm=audio 18452 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=ptime:20',
  '',
].join('\r\n')

export const T38_OFFER = [
  'v=0',
  'o=- 1700000000 1700000002 IN IP4 198.51.100.7',
  's=-',
  'c=IN IP4 198.51.100.7',
  't=0 0',
  'm=image 18454 udptl t38',
  'a=T38FaxVersion:0',
  'a=T38MaxBitRate:14400',
  'a=T38FaxRateManagement:transferredTCF',
  'a=T38FaxMaxBuffer:2000',
  'a=T38FaxMaxDatagram:400',
  'a=T38FaxUdpEC:t38UDPRedundancy',
  '',
].join('\r\n')

/** Lines joined with CRLF, the blank line, then the body; Content-Length goes where `{}` is. */
export function message(lines: readonly string[], body = ''): string {
  const length = new TextEncoder().encode(body).length
  return `${lines.map((line) => line.replace('{}', String(length))).join('\r\n')}\r\n\r\n${body}`
}

export const octets = (text: string): Uint8Array => new TextEncoder().encode(text)
export const text = (data: Uint8Array): string => new TextDecoder().decode(data)

const CALL_ID = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.10'

export const INVITE = message(
  [
    'INVITE sip:+12125550100@198.51.100.7;user=phone SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9;rport',
    'Max-Forwards: 70',
    'From: "Acme Fax" <sip:+13125550199@192.0.2.10>;tag=9fxced76sl',
    'To: <sip:+12125550100@198.51.100.7;user=phone>',
    `Call-ID: ${CALL_ID}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:faxd@192.0.2.10:5060>',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE',
    'Supported: timer, replaces',
    'Session-Expires: 1800;refresher=uac',
    'Min-SE: 90',
    'User-Agent: faxd/0.1.0',
    'Content-Type: application/sdp',
    'Content-Length: {}',
  ],
  AUDIO_OFFER,
)

export const OK_TO_INVITE = message(
  [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9;rport=5060;received=192.0.2.10',
    'Record-Route: <sip:198.51.100.7;lr;ftag=9fxced76sl>, <sip:10.0.0.7;lr>',
    'From: "Acme Fax" <sip:+13125550199@192.0.2.10>;tag=9fxced76sl',
    'To: <sip:+12125550100@198.51.100.7;user=phone>;tag=as5d8e1c2a',
    `Call-ID: ${CALL_ID}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:+12125550100@198.51.100.7:5060>',
    'Require: timer',
    'Session-Expires: 1800;refresher=uac',
    'Server: Trunk SBC 4.2',
    'Content-Type: application/sdp',
    'Content-Length: {}',
  ],
  AUDIO_ANSWER,
)

export const ACK = message([
  'ACK sip:+12125550100@198.51.100.7:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK8a3c1;rport',
  'Route: <sip:10.0.0.7;lr>, <sip:198.51.100.7;lr;ftag=9fxced76sl>',
  'Max-Forwards: 70',
  'From: "Acme Fax" <sip:+13125550199@192.0.2.10>;tag=9fxced76sl',
  'To: <sip:+12125550100@198.51.100.7;user=phone>;tag=as5d8e1c2a',
  `Call-ID: ${CALL_ID}`,
  'CSeq: 1 ACK',
  'Content-Length: {}',
])

/** The trunk re-INVITEs us to T.38 once it hears CED. */
export const REINVITE_T38 = message(
  [
    'INVITE sip:faxd@192.0.2.10:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK5a21d0c3',
    'Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bK0077ab;received=10.0.0.7',
    'Max-Forwards: 69',
    'From: <sip:+12125550100@198.51.100.7;user=phone>;tag=as5d8e1c2a',
    'To: "Acme Fax" <sip:+13125550199@192.0.2.10>;tag=9fxced76sl',
    `Call-ID: ${CALL_ID}`,
    'CSeq: 102 INVITE',
    'Contact: <sip:+12125550100@198.51.100.7:5060>',
    'Content-Type: application/sdp',
    'Content-Length: {}',
  ],
  T38_OFFER,
)

export const BYE = message([
  'BYE sip:+12125550100@198.51.100.7:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKb0e7f;rport',
  'Max-Forwards: 70',
  'From: "Acme Fax" <sip:+13125550199@192.0.2.10>;tag=9fxced76sl',
  'To: <sip:+12125550100@198.51.100.7;user=phone>;tag=as5d8e1c2a',
  `Call-ID: ${CALL_ID}`,
  'CSeq: 2 BYE',
  'Reason: Q.850;cause=16;text="Normal call clearing"',
  'Content-Length: {}',
])

export const REGISTER = message([
  'REGISTER sip:sip.example.net SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds7;rport',
  'Max-Forwards: 70',
  'From: <sip:faxd@sip.example.net>;tag=a73kszlfl',
  'To: <sip:faxd@sip.example.net>',
  'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10',
  'CSeq: 1 REGISTER',
  'Contact: <sip:faxd@192.0.2.10:5060>;expires=3600',
  'Expires: 3600',
  'Content-Length: {}',
])

export const UNAUTHORIZED = message([
  'SIP/2.0 401 Unauthorized',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds7;rport=5060;received=203.0.113.5',
  'From: <sip:faxd@sip.example.net>;tag=a73kszlfl',
  'To: <sip:faxd@sip.example.net>;tag=1410948204',
  'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10',
  'CSeq: 1 REGISTER',
  'WWW-Authenticate: Digest realm="sip.example.net", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="x,y", algorithm=MD5, qop="auth,auth-int"',
  'WWW-Authenticate: Digest realm="sip.example.net", nonce="4b8a1c", algorithm=SHA-256, qop="auth"',
  'Content-Length: {}',
])

export const AUTHORIZED_REGISTER = message([
  'REGISTER sip:sip.example.net SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashd92;rport',
  'Max-Forwards: 70',
  'From: <sip:faxd@sip.example.net>;tag=a73kszlfl',
  'To: <sip:faxd@sip.example.net>',
  'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10',
  'CSeq: 2 REGISTER',
  'Contact: <sip:faxd@192.0.2.10:5060>;expires=3600',
  'Authorization: Digest username="faxd", realm="sip.example.net", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", uri="sip:sip.example.net", response="dfe56131d1958046689d83306477ecc", algorithm=MD5, cnonce="0a4f113b", opaque="x,y", qop=auth, nc=00000001',
  'Expires: 3600',
  'Content-Length: {}',
])

export const PROXY_AUTH_REQUIRED = message([
  'SIP/2.0 407 Proxy Authentication Required',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9;rport=5060;received=192.0.2.10',
  'From: "Acme Fax" <sip:+13125550199@192.0.2.10>;tag=9fxced76sl',
  'To: <sip:+12125550100@198.51.100.7;user=phone>;tag=3d7e',
  `Call-ID: ${CALL_ID}`,
  'CSeq: 1 INVITE',
  'Proxy-Authenticate: Digest realm="trunk.example.com", nonce="Yk9z/2d8aQ==", stale=FALSE, algorithm=MD5, qop="auth"',
  'Content-Length: {}',
])

export const SAMPLES: Readonly<Record<string, string>> = {
  INVITE,
  OK_TO_INVITE,
  ACK,
  REINVITE_T38,
  BYE,
  REGISTER,
  UNAUTHORIZED,
  AUTHORIZED_REGISTER,
  PROXY_AUTH_REQUIRED,
}
