import assert from 'node:assert/strict'
import { test } from 'node:test'

import { UdpEndpoint } from '../../../src/telephony/net/udp-endpoint.js'

function next(endpoint: UdpEndpoint): Promise<Uint8Array> {
  return new Promise((resolve) => endpoint.onDatagram(resolve))
}

test('two endpoints on loopback: one learns the other from its first datagram, and answers', async () => {
  const answering = await UdpEndpoint.open({})
  const calling = await UdpEndpoint.open({ remote: answering.local })
  try {
    assert.notEqual(answering.local.port, 0)
    assert.equal(answering.remote, null)
    const heard = next(answering)
    calling.send(Uint8Array.of(1, 2, 3))
    assert.deepEqual([...(await heard)], [1, 2, 3])
    assert.deepEqual(answering.remote, calling.local)
    const back = next(calling)
    answering.send(Uint8Array.of(4))
    assert.deepEqual([...(await back)], [4])
  } finally {
    calling.close()
    answering.close()
  }
})

test('datagrams from anyone but the far end are dropped', async () => {
  const a = await UdpEndpoint.open({})
  const b = await UdpEndpoint.open({ remote: a.local })
  const stranger = await UdpEndpoint.open({ remote: a.local })
  try {
    const heard: number[] = []
    const waiting = new Map<number, () => void>()
    const hear = (n: number) => new Promise<void>((resolve) => waiting.set(n, resolve))
    a.onDatagram((d) => {
      heard.push(d[0]!)
      waiting.get(d[0]!)?.()
    })
    const one = hear(1)
    b.send(Uint8Array.of(1))
    await one
    // a knows b now; the stranger's datagram goes first, b's after it.
    const three = hear(3)
    stranger.send(Uint8Array.of(2))
    b.send(Uint8Array.of(3))
    await three
    assert.deepEqual(heard, [1, 3])
  } finally {
    a.close()
    b.close()
    stranger.close()
  }
})
