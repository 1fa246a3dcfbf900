import assert from 'node:assert/strict'
import { test } from 'node:test'

import { ImpairedNetwork } from '../../../src/telephony/net/impaired-network.js'

const datagram = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff)
const numberOf = (d: Uint8Array): number => (d[0]! << 8) | d[1]!

function sendAll(network: ImpairedNetwork, count: number, spacingMs: number): number[] {
  for (let n = 0; n < count; n++) {
    network.send('a', datagram(n), n * spacingMs)
  }
  return network.arrivals(count * spacingMs + 10_000).map(({ to, datagram: d }) => {
    assert.equal(to, 'b')
    return numberOf(d)
  })
}

test('a clean line delivers everything once, in order, after the delay', () => {
  const network = new ImpairedNetwork({ loss: 0, duplication: 0, delayMs: 25, jitterMs: 0 })
  network.send('b', datagram(7), 100)
  assert.deepEqual(network.arrivals(124), [])
  assert.deepEqual(
    network.arrivals(125).map((a) => [a.to, numberOf(a.datagram)]),
    [['a', 7]],
  )
  assert.deepEqual(
    sendAll(network, 100, 30),
    Array.from({ length: 100 }, (_, n) => n),
  )
})

test('loss and duplication happen at about their rates, the same for the same seed', () => {
  const run = (seed: number): number[] =>
    sendAll(
      new ImpairedNetwork({ loss: 0.05, duplication: 0.02, delayMs: 10, jitterMs: 0 }, seed),
      10_000,
      1,
    )
  const arrived = run(1)
  const distinct = new Set(arrived)
  assert.ok(distinct.size > 9_300 && distinct.size < 9_700, `${distinct.size} distinct`)
  const duplicates = arrived.length - distinct.size
  assert.ok(duplicates > 100 && duplicates < 300, `${duplicates} duplicates`)
  assert.deepEqual(run(1), arrived)
  assert.notDeepEqual(run(2), arrived)
})

test('jitter larger than the spacing reorders datagrams', () => {
  const arrived = sendAll(
    new ImpairedNetwork({ loss: 0, duplication: 0, delayMs: 20, jitterMs: 60 }, 3),
    1_000,
    30,
  )
  assert.equal(arrived.length, 1_000)
  const overtaken = arrived.filter((n, i) => i > 0 && n < arrived[i - 1]!).length
  assert.ok(overtaken > 50, `${overtaken} overtaken`)
})

test('impairments outside their ranges are refused', () => {
  assert.throws(
    () => new ImpairedNetwork({ loss: 1.5, duplication: 0, delayMs: 0, jitterMs: 0 }),
    RangeError,
  )
  assert.throws(
    () => new ImpairedNetwork({ loss: 0, duplication: -1, delayMs: 0, jitterMs: 0 }),
    RangeError,
  )
  assert.throws(
    () => new ImpairedNetwork({ loss: 0, duplication: 0, delayMs: -5, jitterMs: 0 }),
    RangeError,
  )
})
