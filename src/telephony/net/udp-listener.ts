/**
 * A UDP socket that talks to many peers: SIP's signalling port, where every trunk, phone and
 * stray scanner on the network may send. Each datagram is handed on with where it came from;
 * each send names where it goes. The sans-I/O user agent (telephony/sip/user-agent.ts) makes
 * every decision; this file only moves octets.
 */
import { type Socket, createSocket } from 'node:dgram'
import type { UdpAddress } from './udp-endpoint.js'

/** The largest datagram read: SIP over UDP stays far below it (RFC 3261 §18.1.1). */
const RECEIVE_BUFFER_OCTETS = 256 * 1024

export class UdpListener {
  readonly #socket: Socket
  readonly local: UdpAddress
  #closed = false

  private constructor(socket: Socket, local: UdpAddress) {
    this.#socket = socket
    this.local = local
  }

  /** Binds `host:port` (port 0: any free port). Rejects when the port is taken. */
  static async open(host: string, port: number): Promise<UdpListener> {
    const socket = createSocket({
      type: host.includes(':') ? 'udp6' : 'udp4',
      recvBufferSize: RECEIVE_BUFFER_OCTETS,
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(port, host, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    // ICMP errors for sends to closed ports come back here; SIP's timers deal with silence.
    socket.on('error', () => {})
    return new UdpListener(socket, { host, port: socket.address().port })
  }

  onDatagram(listener: (datagram: Uint8Array, from: UdpAddress) => void): void {
    this.#socket.on('message', (message, from) => {
      listener(new Uint8Array(message.buffer, message.byteOffset, message.byteLength), {
        host: from.address,
        port: from.port,
      })
    })
  }

  send(datagram: Uint8Array, to: UdpAddress): void {
    if (!this.#closed) {
      this.#socket.send(datagram, to.port, to.host)
    }
  }

  close(): Promise<void> {
    if (this.#closed) {
      return Promise.resolve()
    }
    this.#closed = true
    return new Promise((resolve) => this.#socket.close(() => resolve()))
  }
}
