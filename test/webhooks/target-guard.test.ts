/**
 * The target guard on addresses and URLs alone (no request is made, nothing leaves the machine):
 * which addresses are refused and why, which are allowed, and how URLs are read.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { forbiddenAddressReason } from '../../src/webhooks/address-ranges.js'
import { checkTarget, type HostResolver } from '../../src/webhooks/target-guard.js'

const FORBIDDEN: [string, string][] = [
  ['0.0.0.0', '"this network" (0.0.0.0/8)'],
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
  ['192.0.0.8', 'IETF protocol assignment (192.0.0.0/24)'],
  ['192.168.1.1', 'private (RFC 1918)'],
  ['198.18.0.1', 'benchmarking (198.18.0.0/15)'],
  ['224.0.0.251', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved (240.0.0.0/4, broadcast)'],
  ['255.255.255.255', 'reserved (240.0.0.0/4, broadcast)'],
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
  ['64:ff9b:1::1', 'local-use NAT64 (64:ff9b:1::/48)'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback'],
  ['::FFFF:10.1.2.3', 'IPv4-mapped private (RFC 1918)'],
  ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
  ['0:0:0:0:0:ffff:c0a8:0101', 'IPv4-mapped private (RFC 1918)'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['64:ff9b::10.0.0.1', 'NAT64 private (RFC 1918)'],
  ['2002:7f00:1::', '6to4 loopback'],
  ['2002:a9fe:a9fe::1', '6to4 link-local'],
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
