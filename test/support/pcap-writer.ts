/**
 * Classic libpcap files of UDP datagrams, so a test can hand a packet stream it built to a
 * real decoder (tshark) without capturing anything: a global header, then one Ethernet II /
 * IPv4 / UDP frame per datagram, all from one address and port to another. Format: the
 * "libpcap file format" (magic a1b2c3d4, version 2.4, link type 1 = Ethernet), little-endian.
 */

export interface PcapDatagram {
  readonly payload: Uint8Array
  /** When it was "captured", from the start of the file. */
  readonly timeMs: number
}

export interface UdpEndpoints {
  readonly sourceIp: readonly [number, number, number, number]
  readonly destinationIp: readonly [number, number, number, number]
  readonly sourcePort: number
  readonly destinationPort: number
}

export const LOOPBACK_PAIR: UdpEndpoints = {
  sourceIp: [127, 0, 0, 1],
  destinationIp: [127, 0, 0, 2],
  sourcePort: 40000,
  destinationPort: 40002,
}

const ETHERNET_HEADER = 14
const IPV4_HEADER = 20
const UDP_HEADER = 8

export function udpPcap(
  datagrams: readonly PcapDatagram[],
  endpoints: UdpEndpoints = LOOPBACK_PAIR,
): Uint8Array {
  const records = datagrams.map((d, index) => record(d, index, endpoints))
  const out = new Uint8Array(24 + records.reduce((n, r) => n + r.length, 0))
  const header = new DataView(out.buffer)
  header.setUint32(0, 0xa1b2c3d4, true)
  header.setUint16(4, 2, true)
  header.setUint16(6, 4, true)
  header.setInt32(8, 0, true) // time zone
  header.setUint32(12, 0, true) // timestamp accuracy
  header.setUint32(16, 65535, true) // snap length
  header.setUint32(20, 1, true) // LINKTYPE_ETHERNET
  let at = 24
  for (const r of records) {
    out.set(r, at)
    at += r.length
  }
  return out
}

function record(datagram: PcapDatagram, index: number, endpoints: UdpEndpoints): Uint8Array {
  const payload = datagram.payload
  const frameLength = ETHERNET_HEADER + IPV4_HEADER + UDP_HEADER + payload.length
  const out = new Uint8Array(16 + frameLength)
  const view = new DataView(out.buffer)
  const micros = Math.round(datagram.timeMs * 1000)
  view.setUint32(0, Math.floor(micros / 1_000_000), true)
  view.setUint32(4, micros % 1_000_000, true)
  view.setUint32(8, frameLength, true)
  view.setUint32(12, frameLength, true)
  // Ethernet II: made-up MACs, EtherType IPv4
  out.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00], 16)
  const ip = 16 + ETHERNET_HEADER
  view.setUint8(ip, 0x45) // version 4, 5 words
  view.setUint16(ip + 2, IPV4_HEADER + UDP_HEADER + payload.length)
  view.setUint16(ip + 4, index & 0xffff) // identification
  view.setUint8(ip + 8, 64) // TTL
  view.setUint8(ip + 9, 17) // UDP
  out.set(endpoints.sourceIp, ip + 12)
  out.set(endpoints.destinationIp, ip + 16)
  view.setUint16(ip + 10, ipChecksum(out.subarray(ip, ip + IPV4_HEADER)))
  const udp = ip + IPV4_HEADER
  view.setUint16(udp, endpoints.sourcePort)
  view.setUint16(udp + 2, endpoints.destinationPort)
  view.setUint16(udp + 4, UDP_HEADER + payload.length)
  view.setUint16(udp + 6, 0) // no checksum (allowed over IPv4)
  out.set(payload, udp + UDP_HEADER)
  return out
}

/** RFC 791: the ones' complement of the ones' complement sum of the header's 16-bit words. */
function ipChecksum(header: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < header.length; i += 2) {
    sum += ((header[i] ?? 0) << 8) | (header[i + 1] ?? 0)
  }
  while (sum > 0xffff) {
    sum = (sum & 0xffff) + (sum >>> 16)
  }
  return ~sum & 0xffff
}
