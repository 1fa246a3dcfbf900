/**
 * The addresses a webhook may not be delivered to unless the operator allows it
 * (FAXD_WEBHOOK_ALLOW_PRIVATE=1): those that reach the server itself or the networks behind it
 * rather than a receiver on the public internet. A target's every address is checked before
 * the request (target-guard.ts, which also refuses the server's own interface addresses), and
 * the request goes to a checked address (node-http-client.ts), so a webhook cannot be used to
 * read the operator's internal services or a cloud metadata endpoint.
 *
 * The tables hold every entry of the IANA IPv4 and IPv6 Special-Purpose Address Registries
 * (RFC 6890 and the RFCs that added entries since), and multicast and site-local beside them.
 * Entries that the registries mark globally reachable are refused too (anycast addresses of
 * PCP, TURN, AS112, AMT; ORCHIDv2; drone tags): each names a protocol service, never a webhook
 * receiver. The one exception is the IPv6 forms that carry an IPv4 address: they are judged by
 * the IPv4 address they carry, so that 6to4 or Teredo addresses of a public host are allowed,
 * like the public IPv4 address itself, while those that lead to a forbidden one are refused:
 *
 * - IPv4-mapped ::ffff:a.b.c.d (::ffff:0:0/96) and IPv4-compatible ::a.b.c.d (::/96);
 * - IPv4-translated ::ffff:0:a.b.c.d (::ffff:0:0:0/96);
 * - NAT64 64:ff9b::a.b.c.d (64:ff9b::/96);
 * - 6to4 2002:AABB:CCDD::/48, the IPv4 address in bits 16–47;
 * - Teredo 2001:0:SSSS:SSSS:…:CCCC:CCCC, the Teredo server's IPv4 address in bits 32–63 and the
 *   client's in the last 32 bits, inverted; refused when either is forbidden.
 *
 * When entries nest, the most specific one that holds an address gives the reason.
 */
import { isIPv4, isIPv6 } from 'node:net'

interface Range {
  readonly base: bigint
  readonly prefix: number
  /** Why an address in the range may not be called; for a carrier, the name of its form. */
  readonly reason: string
}

/** An IPv6 range whose addresses carry IPv4 addresses, and how to take them out. */
interface Carrier extends Range {
  readonly carried: (value: bigint) => readonly CarriedIPv4[]
}

interface CarriedIPv4 {
  /** Whose address it is, where a form carries two (Teredo); '' otherwise. */
  readonly role: string
  readonly value: bigint
}

const IPV4_MASK = 0xffffffffn

const PRIVATE = 'private (RFC 1918)'

const IPV4_RANGES: readonly Range[] = [
  // "This network", RFC 791 §3.2
  v4('0.0.0.0', 8, '"this network" (0.0.0.0/8)'),
  // "This host on this network", RFC 1122 §3.2.1.3
  v4('0.0.0.0', 32, '"this host on this network" (0.0.0.0/32)'),
  // Private-Use, RFC 1918
  v4('10.0.0.0', 8, PRIVATE),
  // Shared Address Space, RFC 6598
  v4('100.64.0.0', 10, 'shared address space (CGNAT, 100.64.0.0/10)'),
  // Loopback, RFC 1122 §3.2.1.3
  v4('127.0.0.0', 8, 'loopback'),
  // Link Local, RFC 3927
  v4('169.254.0.0', 16, 'link-local'),
  // Private-Use, RFC 1918
  v4('172.16.0.0', 12, PRIVATE),
  // IETF Protocol Assignments, RFC 6890 §2.1
  v4('192.0.0.0', 24, 'IETF protocol assignment (192.0.0.0/24)'),
  // IPv4 Service Continuity Prefix, RFC 7335
  v4('192.0.0.0', 29, 'IPv4 service continuity (DS-Lite, 192.0.0.0/29)'),
  // IPv4 dummy address, RFC 7600
  v4('192.0.0.8', 32, 'IPv4 dummy (192.0.0.8/32)'),
  // Port Control Protocol Anycast, RFC 7723
  v4('192.0.0.9', 32, 'PCP anycast (192.0.0.9/32)'),
  // Traversal Using Relays around NAT Anycast, RFC 8155
  v4('192.0.0.10', 32, 'TURN anycast (192.0.0.10/32)'),
  // NAT64/DNS64 Discovery, RFC 8880 and RFC 7050 §2.2
  v4('192.0.0.170', 32, 'NAT64/DNS64 discovery (192.0.0.170/32)'),
  v4('192.0.0.171', 32, 'NAT64/DNS64 discovery (192.0.0.171/32)'),
  // Documentation (TEST-NET-1), RFC 5737
  v4('192.0.2.0', 24, 'documentation (TEST-NET-1, 192.0.2.0/24)'),
  // AS112-v4, RFC 7535
  v4('192.31.196.0', 24, 'AS112 (192.31.196.0/24)'),
  // AMT, RFC 7450
  v4('192.52.193.0', 24, 'AMT relay anycast (192.52.193.0/24)'),
  // Deprecated (6to4 Relay Anycast), RFC 7526
  v4('192.88.99.0', 24, 'deprecated 6to4 relay anycast (192.88.99.0/24)'),
  // 6a44-relay anycast address, RFC 6751
  v4('192.88.99.2', 32, '6a44 relay anycast (192.88.99.2/32)'),
  // Private-Use, RFC 1918
  v4('192.168.0.0', 16, PRIVATE),
  // Direct Delegation AS112 Service, RFC 7534
  v4('192.175.48.0', 24, 'AS112 direct delegation (192.175.48.0/24)'),
  // Benchmarking, RFC 2544
  v4('198.18.0.0', 15, 'benchmarking (198.18.0.0/15)'),
  // Documentation (TEST-NET-2), RFC 5737
  v4('198.51.100.0', 24, 'documentation (TEST-NET-2, 198.51.100.0/24)'),
  // Documentation (TEST-NET-3), RFC 5737
  v4('203.0.113.0', 24, 'documentation (TEST-NET-3, 203.0.113.0/24)'),
  // Not in the registry: multicast, RFC 5771 (the IPv4 Address Space registry)
  v4('224.0.0.0', 4, 'multicast'),
  // Reserved, RFC 1112 §4
  v4('240.0.0.0', 4, 'reserved (240.0.0.0/4)'),
  // Limited Broadcast, RFC 8190 and RFC 919 §7
  v4('255.255.255.255', 32, 'limited broadcast (255.255.255.255/32)'),
]

const IPV6_RANGES: readonly (Range | Carrier)[] = [
  // Unspecified Address, RFC 4291
  v6('::', 128, 'unspecified (::)'),
  // Loopback Address, RFC 4291
  v6('::1', 128, 'loopback'),
  // Not in the registry: IPv4-compatible, RFC 4291 §2.5.5.1 (deprecated)
  carrier('::', 96, 'IPv4-compatible', (value) => [{ role: '', value: value & IPV4_MASK }]),
  // IPv4-mapped Address, RFC 4291
  carrier('::ffff:0:0', 96, 'IPv4-mapped', (value) => [{ role: '', value: value & IPV4_MASK }]),
  // Not in the registry: IPv4-translated, RFC 2765 §2.1 (SIIT; RFC 6145 replaced it)
  carrier('::ffff:0:0:0', 96, 'IPv4-translated', (value) => [
    { role: '', value: value & IPV4_MASK },
  ]),
  // IPv4-IPv6 Translat., RFC 6052 (the NAT64 well-known prefix)
  carrier('64:ff9b::', 96, 'NAT64', (value) => [{ role: '', value: value & IPV4_MASK }]),
  // IPv4-IPv6 Translat., RFC 8215 (local-use)
  v6('64:ff9b:1::', 48, 'local-use NAT64 (64:ff9b:1::/48)'),
  // Discard-Only Address Block, RFC 6666
  v6('100::', 64, 'discard-only (100::/64)'),
  // Dummy IPv6 Prefix, RFC 9780
  v6('100:0:0:1::', 64, 'dummy prefix (100:0:0:1::/64)'),
  // IETF Protocol Assignments, RFC 2928
  v6('2001::', 23, 'IETF protocol assignment (2001::/23)'),
  // TEREDO, RFC 4380 and RFC 8190: server in bits 32–63, client inverted in the last 32
  carrier('2001::', 32, 'Teredo', (value) => [
    { role: 'server', value: (value >> 64n) & IPV4_MASK },
    { role: 'client', value: (value & IPV4_MASK) ^ IPV4_MASK },
  ]),
  // Port Control Protocol Anycast, RFC 7723
  v6('2001:1::1', 128, 'PCP anycast (2001:1::1)'),
  // Traversal Using Relays around NAT Anycast, RFC 8155
  v6('2001:1::2', 128, 'TURN anycast (2001:1::2)'),
  // DNS-SD Service Registration Protocol Anycast Address, RFC 9665
  v6('2001:1::3', 128, 'DNS-SD registration anycast (2001:1::3)'),
  // Benchmarking, RFC 5180 and RFC Errata 1752
  v6('2001:2::', 48, 'benchmarking (2001:2::/48)'),
  // AMT, RFC 7450
  v6('2001:3::', 32, 'AMT (2001:3::/32)'),
  // AS112-v6, RFC 7535
  v6('2001:4:112::', 48, 'AS112 (2001:4:112::/48)'),
  // Deprecated (previously ORCHID), RFC 4843
  v6('2001:10::', 28, 'deprecated ORCHID (2001:10::/28)'),
  // ORCHIDv2, RFC 7343
  v6('2001:20::', 28, 'ORCHIDv2 (2001:20::/28)'),
  // Drone Remote ID Protocol Entity Tags (DETs) Prefix, RFC 9374
  v6('2001:30::', 28, 'drone remote ID entity tags (2001:30::/28)'),
  // Documentation, RFC 3849
  v6('2001:db8::', 32, 'documentation (2001:db8::/32)'),
  // 6to4, RFC 3056: the IPv4 address in bits 16–47
  carrier('2002::', 16, '6to4', (value) => [{ role: '', value: (value >> 80n) & IPV4_MASK }]),
  // Direct Delegation AS112 Service, RFC 7534
  v6('2620:4f:8000::', 48, 'AS112 direct delegation (2620:4f:8000::/48)'),
  // Documentation, RFC 9637
  v6('3fff::', 20, 'documentation (3fff::/20)'),
  // Segment Routing (SRv6) SIDs, RFC 9602
  v6('5f00::', 16, 'SRv6 segment identifiers (5f00::/16)'),
  // Unique-Local, RFC 4193 and RFC 8190
  v6('fc00::', 7, 'unique local (fc00::/7)'),
  // Link-Local Unicast, RFC 4291
  v6('fe80::', 10, 'link-local'),
  // Not in the registry: site-local, RFC 3879 (deprecated, still routed inside some sites)
  v6('fec0::', 10, 'site-local (fec0::/10)'),
  // Not in the registry: multicast, RFC 4291 §2.7
  v6('ff00::', 8, 'multicast'),
]

/**
 * Why `address` (an IPv4 or IPv6 address, without brackets; a zone such as %eth0 is ignored)
 * may not be called, or null when it is a public address. Throws on anything else.
 */
export function forbiddenAddressReason(address: string): string | null {
  const parsed = parseAddress(address)
  if (parsed.family === 4) {
    return mostSpecific(IPV4_RANGES, parsed.value, 32)?.reason ?? null
  }
  const range = mostSpecific(IPV6_RANGES, parsed.value, 128)
  if (range === undefined || !('carried' in range)) {
    return range?.reason ?? null
  }
  for (const { role, value } of range.carried(parsed.value)) {
    const reason = mostSpecific(IPV4_RANGES, value, 32)?.reason
    if (reason !== undefined) {
      return role === '' ? `${range.reason} ${reason}` : `${range.reason} ${role} ${reason}`
    }
  }
  return null
}

/**
 * The IPv4 addresses (dotted) that an IPv6 address carries in one of the forms above: one, two
 * for Teredo, none for other IPv6 addresses and for IPv4 addresses. Throws on what is not an
 * address.
 */
export function carriedIPv4Addresses(address: string): readonly string[] {
  const parsed = parseAddress(address)
  if (parsed.family === 4) {
    return []
  }
  const range = mostSpecific(IPV6_RANGES, parsed.value, 128)
  return range !== undefined && 'carried' in range
    ? range.carried(parsed.value).map(({ value }) => ipv4Text(value))
    : []
}

/**
 * One text per address whatever its spelling (`::FFFF:7f00:1` and `0:0:0:0:0:ffff:7f00:0001`
 * alike, zone dropped), for comparing addresses. Throws on what is not an address.
 */
export function addressKey(address: string): string {
  const parsed = parseAddress(address)
  return parsed.family === 4
    ? ipv4Text(parsed.value)
    : parsed.value
        .toString(16)
        .padStart(32, '0')
        .replace(/(.{4})(?!$)/g, '$1:')
}

function parseAddress(address: string): { family: 4 | 6; value: bigint } {
  if (isIPv4(address)) {
    return { family: 4, value: ipv4Value(address) }
  }
  const bare = address.split('%')[0] ?? ''
  if (!isIPv6(bare)) {
    throw new TypeError(`${JSON.stringify(address)} is not an IP address`)
  }
  return { family: 6, value: ipv6Value(bare) }
}

/** The range with the longest prefix that holds `value`. */
function mostSpecific<R extends Range>(ranges: readonly R[], value: bigint, bits: number) {
  let best: R | undefined
  for (const range of ranges) {
    if (inRange(range, value, bits) && (best === undefined || range.prefix > best.prefix)) {
      best = range
    }
  }
  return best
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

function carrier(
  address: string,
  prefix: number,
  form: string,
  carried: Carrier['carried'],
): Carrier {
  return { ...v6(address, prefix, form), carried }
}

function ipv4Value(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n)
}

function ipv4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.')
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
