/**
 * The target guard on addresses and URLs alone (no request is made, nothing leaves the machine):
 * which addresses are refused and why (every entry of the IANA special-purpose registries, the
 * IPv4 addresses that IPv6 forms carry, this server's own addresses), which are allowed, and how
 * URLs are read.
 */
import assert from 'node:assert/strict'
import { networkInterfaces } from 'node:os'
import { describe, it } from 'node:test'
import {
  addressKey,
  carriedIPv4Addresses,
  forbiddenAddressReason,
} from '../../src/webhooks/address-ranges.js'
import {
  checkTarget,
  systemOwnAddresses,
  type HostResolver,
} from '../../src/webhooks/target-guard.js'

const TEST_NET_1 = 'documentation (TEST-NET-1, 192.0.2.0/24)'

const FORBIDDEN: [string, string][] = [
  ['0.0.0.0', '"this host on this network" (0.0.0.0/32)'],
  ['0.0.0.1', '"this network" (0.0.0.0/8)'],
  ['0.255.1.2', '"this network" (0.0.0.0/8)'],
  ['10.0.0.1', 'private (RFC 1918)'],
  ['10.255.255.255', 'private (RFC 1918)'],
  ['100.64.0.1', 'shared address space (CGNAT, 100.64.0.0/10)'],
  ['100.127.255.254', 'shared address space (CGNAT, 100.64.0.0/10)'],
  ['127.0.0.1', 'loopback'],
  ['127.8.9.10', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['172.16.0.1', 'private (RFC 1918)'],
  ['172.31.255.255', 'private (RFC 1918)'],
  ['192.0.0.0', 'IPv4 service continuity (DS-Lite, 192.0.0.0/29)'],
  ['192.0.0.7', 'IPv4 service continuity (DS-Lite, 192.0.0.0/29)'],
  ['192.0.0.8', 'IPv4 dummy (192.0.0.8/32)'],
  ['192.0.0.9', 'PCP anycast (192.0.0.9/32)'],
  ['192.0.0.10', 'TURN anycast (192.0.0.10/32)'],
  ['192.0.0.11', 'IETF protocol assignment (192.0.0.0/24)'],
  ['192.0.0.170', 'NAT64/DNS64 discovery (192.0.0.170/32)'],
  ['192.0.0.171', 'NAT64/DNS64 discovery (192.0.0.171/32)'],
  ['192.0.0.255', 'IETF protocol assignment (192.0.0.0/24)'],
  ['192.0.2.0', TEST_NET_1],
  ['192.0.2.2', TEST_NET_1],
  ['192.0.2.255', TEST_NET_1],
  ['192.31.196.1', 'AS112 (192.31.196.0/24)'],
  ['192.52.193.1', 'AMT relay anycast (192.52.193.0/24)'],
  ['192.88.99.1', 'deprecated 6to4 relay anycast (192.88.99.0/24)'],
  ['192.88.99.2', '6a44 relay anycast (192.88.99.2/32)'],
  ['192.88.99.255', 'deprecated 6to4 relay anycast (192.88.99.0/24)'],
  ['192.168.1.1', 'private (RFC 1918)'],
  ['192.175.48.1', 'AS112 direct delegation (192.175.48.0/24)'],
  ['198.18.0.1', 'benchmarking (198.18.0.0/15)'],
  ['198.19.255.255', 'benchmarking (198.18.0.0/15)'],
  ['198.51.100.7', 'documentation (TEST-NET-2, 198.51.100.0/24)'],
  ['203.0.113.7', 'documentation (TEST-NET-3, 203.0.113.0/24)'],
  ['224.0.0.251', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved (240.0.0.0/4)'],
  ['255.255.255.254', 'reserved (240.0.0.0/4)'],
  ['255.255.255.255', 'limited broadcast (255.255.255.255/32)'],
  ['::', 'unspecified (::)'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fc00::1', 'unique local (fc00::/7)'],
  ['fd12:3456:789a::1', 'unique local (fc00::/7)'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'site-local (fec0::/10)'],
  ['ff02::1', 'multicast'],
  ['100::1', 'discard-only (100::/64)'],
  ['100::ffff:ffff:ffff:ffff', 'discard-only (100::/64)'],
  ['100:0:0:1::1', 'dummy prefix (100:0:0:1::/64)'],
  ['64:ff9b:1::1', 'local-use NAT64 (64:ff9b:1::/48)'],
  ['2001:1::1', 'PCP anycast (2001:1::1)'],
  ['2001:1::2', 'TURN anycast (2001:1::2)'],
  ['2001:1::3', 'DNS-SD registration anycast (2001:1::3)'],
  ['2001:1::4', 'IETF protocol assignment (2001::/23)'],
  ['2001:2::1', 'benchmarking (2001:2::/48)'],
  ['2001:2:0:ffff::1', 'benchmarking (2001:2::/48)'],
  ['2001:3::1', 'AMT (2001:3::/32)'],
  ['2001:4:112::1', 'AS112 (2001:4:112::/48)'],
  ['2001:10::1', 'deprecated ORCHID (2001:10::/28)'],
  ['2001:1f:ffff::1', 'deprecated ORCHID (2001:10::/28)'],
  ['2001:20::1', 'ORCHIDv2 (2001:20::/28)'],
  ['2001:2f:ffff::1', 'ORCHIDv2 (2001:20::/28)'],
  ['2001:30::1', 'drone remote ID entity tags (2001:30::/28)'],
  ['2001:1ff:ffff::1', 'IETF protocol assignment (2001::/23)'],
  ['2001:db8::1', 'documentation (2001:db8::/32)'],
  ['2001:db8:ffff:ffff::1', 'documentation (2001:db8::/32)'],
  ['2620:4f:8000::1', 'AS112 direct delegation (2620:4f:8000::/48)'],
  ['3fff::1', 'documentation (3fff::/20)'],
  ['3fff:fff:ffff::1', 'documentation (3fff::/20)'],
  ['5f00::1', 'SRv6 segment identifiers (5f00::/16)'],
  ['5f00:ffff:ffff::1', 'SRv6 segment identifiers (5f00::/16)'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback'],
  ['::FFFF:10.1.2.3', 'IPv4-mapped private (RFC 1918)'],
  ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
  ['0:0:0:0:0:ffff:c0a8:0101', 'IPv4-mapped private (RFC 1918)'],
  ['::ffff:0:0', 'IPv4-mapped "this host on this network" (0.0.0.0/32)'],
  ['::ffff:203.0.113.7', 'IPv4-mapped documentation (TEST-NET-3, 203.0.113.0/24)'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['::10.0.0.1', 'IPv4-compatible private (RFC 1918)'],
  ['::ffff:0:7f00:1', 'IPv4-translated loopback'],
  ['::ffff:0:127.0.0.1', 'IPv4-translated loopback'],
  ['0:0:0:0:ffff:0:a9fe:a9fe', 'IPv4-translated link-local'],
  ['64:ff9b::10.0.0.1', 'NAT64 private (RFC 1918)'],
  ['64:ff9b::7f00:1', 'NAT64 loopback'],
  ['64:ff9b::c000:202', `NAT64 ${TEST_NET_1}`],
  ['2002:7f00:1::', '6to4 loopback'],
  ['2002:a9fe:a9fe::1', '6to4 link-local'],
  ['2002:c0a8:101::1', '6to4 private (RFC 1918)'],
  ['2002:c000:202::', `6to4 ${TEST_NET_1}`],
  // Teredo: the server's IPv4 address in bits 32–63, the client's inverted in the last 32.
  ['2001:0:a00:1::fefe:fefe', 'Teredo server private (RFC 1918)'],
  ['2001:0:808:808::80ff:fffe', 'Teredo client loopback'],
  ['2001:0:808:808:8000:ffff:5601:5601', 'Teredo client link-local'],
  // RFC 4380's own example: server 65.54.227.120, client 192.0.2.45.
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', `Teredo client ${TEST_NET_1}`],
]

const PUBLIC = [
  '1.1.1.1',
  '8.8.8.8',
  '93.184.215.14',
  '100.63.255.255',
  '100.128.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.0',
  '198.20.0.1',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
  '64:ff9b::1.1.1.1',
  '2002:0808:0808::1',
  'fbff::1',
  'fe7f::1',
  // just outside the newer entries of the registries
  '1.0.0.0',
  '192.0.1.255',
  '192.0.3.0',
  '192.31.195.255',
  '192.31.197.0',
  '192.52.192.255',
  '192.52.194.0',
  '192.88.98.255',
  '192.88.100.0',
  '192.175.47.255',
  '192.175.49.0',
  '198.51.99.255',
  '198.51.101.0',
  '203.0.112.255',
  '203.0.114.0',
  '100:0:0:2::',
  '2001:200::1',
  '2001:db7:ffff:ffff::1',
  '2001:db9::',
  '2620:4f:7fff:ffff::1',
  '2620:4f:8001::',
  '3ffe:ffff::1',
  '3fff:1000::',
  '5eff:ffff::1',
  '5f01::',
  // IPv4-carrying forms of public addresses are judged by what they carry
  '::ffff:0:8.8.8.8',
  '2001:0:808:808::fefe:fefe',
  '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
]

describe('forbiddenAddressReason', () => {
  for (const [address, reason] of FORBIDDEN) {
    it(`refuses ${address}: ${reason}`, () => {
      assert.equal(forbiddenAddressReason(address), reason)
    })
  }

  it('allows public addresses, including the neighbours of every forbidden range', () => {
    for (const address of PUBLIC) {
      assert.equal(forbiddenAddressReason(address), null, address)
    }
  })

  it('throws on what is not an address', () => {
    for (const text of ['localhost', '', '1.2.3', '[::1]', '::1::2', '01.2.3.4']) {
      assert.throws(() => forbiddenAddressReason(text), TypeError, text)
    }
  })
})

describe('carriedIPv4Addresses and addressKey', () => {
  it('takes out the IPv4 addresses that each IPv6 form carries', () => {
    const cases: [string, string[]][] = [
      ['::ffff:7f00:1', ['127.0.0.1']],
      ['::8.8.4.4', ['8.8.4.4']],
      ['::ffff:0:7f00:1', ['127.0.0.1']],
      ['64:ff9b::808:808', ['8.8.8.8']],
      ['2002:c000:202:1::5', ['192.0.2.2']],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', ['65.54.227.120', '192.0.2.45']],
      ['2606:4700:4700::1111', []],
      ['8.8.8.8', []],
    ]
    for (const [address, carried] of cases) {
      assert.deepEqual(carriedIPv4Addresses(address), carried, address)
    }
  })

  it('spells one address one way, whatever the spelling it came in', () => {
    assert.equal(addressKey('::FFFF:127.0.0.1'), addressKey('0:0:0:0:0:ffff:7f00:0001'))
    assert.equal(addressKey('fe80::1%eth0'), addressKey('fe80:0::1'))
    assert.equal(addressKey('8.8.8.8'), '8.8.8.8')
    assert.notEqual(addressKey('::ffff:8.8.8.8'), addressKey('8.8.8.8'))
    assert.notEqual(addressKey('2001:db8::1'), addressKey('2001:db8::1:0'))
  })
})

describe('checkTarget', () => {
  const nowhere: HostResolver = async (hostname) => {
    throw new Error(`this test resolves no names, not ${hostname}`)
  }
  const publicName: HostResolver = async () => [
    { address: '93.184.215.14', family: 4 },
    { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
  ]

  it('allows a public name with every address it resolves to', async () => {
    const check = await checkTarget('https://hooks.example.test:8443/fax?x=1', {
      allowPrivate: false,
      resolve: publicName,
    })
    assert.ok(check.allowed)
    assert.equal(check.url.href, 'https://hooks.example.test:8443/fax?x=1')
    assert.deepEqual(check.addresses, await publicName('hooks.example.test'))
  })

  it('takes an address in the URL as it is, without a lookup', async () => {
    const v4 = await checkTarget('http://93.184.215.14/hook', {
      allowPrivate: false,
      resolve: nowhere,
    })
    assert.ok(v4.allowed)
    assert.deepEqual(v4.addresses, [{ address: '93.184.215.14', family: 4 }])
    const v6 = await checkTarget('http://[2606:4700:4700::1111]:8080/hook', {
      allowPrivate: false,
      resolve: nowhere,
    })
    assert.ok(v6.allowed)
    assert.deepEqual(v6.addresses, [{ address: '2606:4700:4700::1111', family: 6 }])
  })

  it('allows private addresses when the operator does', async () => {
    for (const target of ['http://127.0.0.1:8080/h', 'http://[::1]/h', 'http://10.1.2.3/h']) {
      const check = await checkTarget(target, { allowPrivate: true, resolve: nowhere })
      assert.ok(check.allowed, target)
    }
  })

  it('refuses other schemes and text that is no URL, whatever the operator allows', async () => {
    for (const target of [
      'ftp://example.test/x',
      'file:///etc/passwd',
      'gopher://example.test/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      const check = await checkTarget(target, { allowPrivate: true, resolve: nowhere })
      assert.equal(check.allowed, false, target)
    }
  })

  it('reads the address that a URL spells in another way', async () => {
    for (const target of ['http://0x7f.1/', 'http://017700000001/', 'http://127.1/']) {
      const check = await checkTarget(target, { allowPrivate: false, resolve: nowhere })
      assert.deepEqual(check, { allowed: false, reason: '127.0.0.1: loopback address' }, target)
    }
  })

  it('fails, rather than refuses, when a name has no address', async () => {
    await assert.rejects(
      checkTarget('https://empty.example.test/', { allowPrivate: false, resolve: async () => [] }),
      /empty\.example\.test has no address/,
    )
  })
})

describe("checkTarget: this server's own addresses", () => {
  const nowhere: HostResolver = async (hostname) => {
    throw new Error(`this test resolves no names, not ${hostname}`)
  }
  const ours = () => ['127.0.0.1', '::1', '8.8.8.8', '2606:4700:4700::1111']

  it('refuses an address of this server that no range forbids, and allows it when it is not ours', async () => {
    const refused = await checkTarget('http://8.8.8.8/hook', {
      allowPrivate: false,
      resolve: nowhere,
      ownAddresses: ours,
    })
    assert.deepEqual(refused, { allowed: false, reason: '8.8.8.8: an address of this server' })
    const allowed = await checkTarget('http://8.8.8.8/hook', {
      allowPrivate: false,
      resolve: nowhere,
      ownAddresses: () => ['127.0.0.1', '::1'],
    })
    assert.ok(allowed.allowed)
  })

  it('refuses a name that resolves to one of them', async () => {
    const check = await checkTarget('https://hooks.example.test/', {
      allowPrivate: false,
      resolve: async () => [
        { address: '1.1.1.1', family: 4 },
        { address: '2606:4700:4700:0:0:0:0:1111', family: 6 },
      ],
      ownAddresses: ours,
    })
    assert.deepEqual(check, {
      allowed: false,
      reason:
        'hooks.example.test resolves to 2606:4700:4700:0:0:0:0:1111: an address of this server',
    })
  })

  it('refuses the IPv6 forms that carry an IPv4 address of this server', async () => {
    for (const host of [
      '[::ffff:8.8.8.8]',
      '[::ffff:0:808:808]',
      '[64:ff9b::8.8.8.8]',
      '[2002:808:808::1]',
      '[2001:0:4136:e378:8000:63bf:f7f7:f7f7]',
    ]) {
      const check = await checkTarget(`http://${host}/hook`, {
        allowPrivate: false,
        resolve: nowhere,
        ownAddresses: ours,
      })
      assert.equal(check.allowed, false, host)
      assert.match(check.reason, /: carries 8\.8\.8\.8, an address of this server$/, host)
    }
  })

  it('reads the addresses again at every check: interfaces come and go', async () => {
    let current: string[] = []
    let reads = 0
    const options = {
      allowPrivate: false,
      resolve: nowhere,
      ownAddresses: () => {
        reads += 1
        return current
      },
    }
    assert.ok((await checkTarget('http://8.8.8.8/', options)).allowed)
    current = ['8.8.8.8']
    assert.equal((await checkTarget('http://8.8.8.8/', options)).allowed, false)
    current = []
    assert.ok((await checkTarget('http://8.8.8.8/', options)).allowed)
    assert.equal(reads, 3)
  })

  it('allows them, with every other address, when the operator allows private targets', async () => {
    for (const target of ['http://8.8.8.8/', 'http://127.0.0.1/', 'http://[::ffff:8.8.8.8]/']) {
      const check = await checkTarget(target, {
        allowPrivate: true,
        resolve: nowhere,
        ownAddresses: ours,
      })
      assert.ok(check.allowed, target)
    }
  })

  it('by default, refuses every address that os.networkInterfaces() lists on this machine', async () => {
    const listed = Object.values(networkInterfaces()).flatMap((entries) =>
      (entries ?? []).map((entry) => ({ address: entry.address, internal: entry.internal })),
    )
    assert.deepEqual(
      systemOwnAddresses(),
      listed.map((entry) => entry.address),
    )
    // Loopback at the least; on this project's machines also eth0 (192.0.2.2, fd00::2, fe80::…).
    assert.ok(listed.some((entry) => entry.internal))
    for (const { address } of listed) {
      const host = address.includes(':') ? `[${address}]` : address
      const check = await checkTarget(`http://${host}:8080/hook`, {
        allowPrivate: false,
        resolve: nowhere,
      })
      assert.equal(check.allowed, false, address)
    }
  })
})

describe('checkTarget: a user name or password in the URL', () => {
  const nowhere: HostResolver = async (hostname) => {
    throw new Error(`this test resolves no names, not ${hostname}`)
  }
  const reason = 'the target has a user name or password in it, which faxd does not send'

  it('refuses it before any lookup, whatever the operator allows, and never repeats it', async () => {
    for (const target of [
      'https://user:pass@hooks.example.test/hook',
      'https://user@hooks.example.test/hook',
      'https://:s3cret@hooks.example.test/hook',
      'http://us%40er:p%3Ass@8.8.8.8:8080/hook',
    ]) {
      for (const allowPrivate of [false, true]) {
        const check = await checkTarget(target, { allowPrivate, resolve: nowhere })
        assert.deepEqual(check, { allowed: false, reason }, target)
      }
    }
  })

  it('allows an empty user part, which the URL drops', async () => {
    const check = await checkTarget('https://@8.8.8.8/hook', {
      allowPrivate: false,
      resolve: nowhere,
      ownAddresses: () => [],
    })
    assert.ok(check.allowed)
    assert.equal(check.url.href, 'https://8.8.8.8/hook')
  })
})
