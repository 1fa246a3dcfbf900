/**
 * The addresses a webhook may not be delivered to unless the operator allows it
 * (FAXD_WEBHOOK_ALLOW_PRIVATE=1): those that reach the server itself or the networks behind it
 * rather than the public internet. A target's every address is checked before the request
 * (target-guard.ts), and the request goes to a checked address (node-http-client.ts), so a
 * webhook cannot be used to read the operator's internal services or a cloud metadata endpoint.
 *
 * IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address they carry.
 */
import { isIPv4, isIPv6 } from 'node:net'

interface Range {
  readonly base: bigint
  readonly prefix: number
  readonly reason: string
}

const PRIVATE = 'private (RFC 1918)'

const IPV4_RANGES: readonly Range[] = [
  v4('0.0.0.0', 8, '"this network" (0.0.0.0/8)'),
  v4('10.0.0.0', 8, PRIVATE),
  v4('100.64.0.0', 10, 'shared address space (CGNAT, 100.64.0.0/10)'),
  v4('127.0.0.0', 8, 'loopback'),
  v4('169.254.0.0', 16, 'link-local'),
  v4('172.16.0.0', 12, PRIVATE),
  v4('192.0.0.0', 24, 'IETF protocol assignment (192.0.0.0/24)'),
  v4('192.168.0.0', 16, PRIVATE),
  v4('198.18.0.0', 15, 'benchmarking (198.18.0.0/15)'),
  v4('224.0.0.0', 4, 'multicast'),
  v4('240.0.0.0', 4, 'reserved (240.0.0.0/4, broadcast)'),
]

const IPV6_RANGES: readonly Range[] = [
  v6('::', 128, 'unspecified (::)'),
  v6('::1', 128, 'loopback'),
  v6('64:ff9b:1::', 48, 'local-use NAT64 (64:ff9b:1::/48)'),
  v6('100::', 64, 'discard-only (100::/64)'),
  v6('fc00::', 7, 'unique local (fc00::/7)'),
  v6('fe80::', 10, 'link-local'),
  v6('fec0::', 10, 'site-local (fec0::/10)'),
  v6('ff00::', 8, 'multicast'),
]

/** IPv6 prefixes whose addresses carry an IPv4 address, and where it sits (its lowest bit). */
const IPV4_CARRIERS: readonly (Range & { readonly shift: bigint })[] = [
  { ...v6('::ffff:0:0', 96, 'IPv4-mapped'), shift: 0n },
  { ...v6('::', 96, 'IPv4-compatible'), shift: 0n },
  { ...v6('64:ff9b::', 96, 'NAT64'), shift: 0n },
  { ...v6('2002::', 16, '6to4'), shift: 80n },
]

/**
 * Why `address` (an IPv4 or IPv6 address, without brackets; a zone such as %eth0 is ignored)
 * may not be called, or null when it is a public address. Throws on anything else.
 */
export function forbiddenAddressReason(address: string): string | null {
  if (isIPv4(address)) {
    return reasonIn(IPV4_RANGES, ipv4Value(address), 32)
  }
  const bare = address.split('%')[0] ?? ''
  if (!isIPv6(bare)) {
    throw new TypeError(`${JSON.stringify(address)} is not an IP address`)
  }
  const value = ipv6Value(bare)
  const own = reasonIn(IPV6_RANGES, value, 128)
  if (own !== null) {
    return own
  }
  for (const carrier of IPV4_CARRIERS) {
    if (inRange(carrier, value, 128)) {
      const carried = (value >> carrier.shift) & 0xffffffffn
      const reason = reasonIn(IPV4_RANGES, carried, 32)
      return reason === null ? null : `${carrier.reason} ${reason}`
    }
  }
  return null
}

function reasonIn(ranges: readonly Range[], value: bigint, bits: number): string | null {
  return ranges.find((range) => inRange(range, value, bits))?.reason ?? null
}

function inRange(range: Range, value: bigint, bits: number): boolean {
  const shift = BigInt(bits - range.prefix)
  return value >> shift === range.base >> shift
}

function v4(address: string, prefix: number, reason: string): Range {
  return { base: ipv4Value(address), prefix, reason }
}

function v6(address: string, prefix: number, reason: string): Range {
  return { base: ipv6Value(address), prefix, reason }
}

function ipv4Value(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n)
}

/** A valid IPv6 address (no zone) as a 128-bit number. */
function ipv6Value(address: string): bigint {
  let text = address
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number]
    const high = ((a << 8) | b).toString(16)
    const low = ((c << 8) | d).toString(16)
    text = `${text.slice(0, dotted.index)}${high}:${low}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
          ...tailGroups,
        ]
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n)
}
