/**
 * A UDP socket for one call's UDPTL stream: bound on a local address, sending to the far end,
 * handing each datagram it receives to one listener. The only file of the telephony layers
 * that touches the network; everything above it is sans-I/O.
 */
import { type Socket, createSocket } from 'node:dgram'

export interface UdpAddress {
  readonly host: string
  readonly port: number
}

export class UdpEndpoint {
  readonly #socket: Socket
  readonly local: UdpAddress
  #remote: UdpAddress | null
  #closed = false

  private constructor(socket: Socket, local: UdpAddress, remote: UdpAddress | null) {
    this.#socket = socket
    this.local = local
    this.#remote = remote
  }

  /**
   * Binds a socket (port 0: any free port). Without `remote`, the first datagram received
   * decides where to send (the far end's address as it is seen, as behind a NAT).
   */
  static async open(options: {
    readonly host?: string
    readonly port?: number
    readonly remote?: UdpAddress
  }): Promise<UdpEndpoint> {
    const host = options.host ?? '127.0.0.1'
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(options.port ?? 0, host, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    const { port } = socket.address()
    return new UdpEndpoint(socket, { host, port }, options.remote ?? null)
  }

  get remote(): UdpAddress | null {
    return this.#remote
  }

  /** From now on, sends go to `remote`, and only its datagrams are taken (SDP said where). */
  connect(remote: UdpAddress): void {
    this.#remote = remote
  }

  /** Calls `listener` with each datagram from the far end (others are dropped). */
  onDatagram(listener: (datagram: Uint8Array) => void): void {
    this.#socket.on('message', (message, from) => {
      if (this.#remote === null) {
        this.#remote = { host: from.address, port: from.port }
      } else if (from.port !== this.#remote.port || from.address !== this.#remote.host) {
        return
      }
      listener(new Uint8Array(message.buffer, message.byteOffset, message.byteLength))
    })
    // A send to a closed port comes back as an error on some systems; the call's timers decide.
    this.#socket.on('error', () => {})
  }

  /** Sends a datagram to the far end; nothing when it is not known yet or the socket is closed. */
  send(datagram: Uint8Array): void {
    if (this.#closed || this.#remote === null) {
      return
    }
    this.#socket.send(datagram, this.#remote.port, this.#remote.host)
  }

  close(): void {
    if (!this.#closed) {
      this.#closed = true
      this.#socket.close()
    }
  }
}
