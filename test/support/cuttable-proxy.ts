/**
 * The network between faxd and its database, as a TCP proxy on loopback that a test can cut and
 * mend: cut() resets every connection through it and every new one until mend(). The database
 * behind it goes on as it was; to faxd it is gone, as in a network failure or a server restart.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface CuttableProxy {
  /** The port on 127.0.0.1 that leads to the target while the proxy is not cut. */
  readonly port: number
  /** Resets the connections through the proxy, and those that come, until mend(). */
  cut(): void
  mend(): void
  /** Resolves when, while cut, a connection has been refused (someone tried to reconnect). */
  refused(): Promise<void>
  close(): Promise<void>
}

export async function startCuttableProxy(targetPort: number, targetHost = '127.0.0.1') {
  const open = new Set<Socket>()
  let isCut = false
  let onRefused: (() => void)[] = []

  const track = (socket: Socket): void => {
    open.add(socket)
    socket.on('close', () => open.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const server: Server = createServer((client) => {
    track(client)
    if (isCut) {
      client.resetAndDestroy()
      const waiting = onRefused
      onRefused = []
      for (const resolve of waiting) {
        resolve()
      }
      return
    }
    const upstream = connect(targetPort, targetHost)
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  if (address === null || typeof address === 'string') {
    throw new Error('the proxy has no TCP port')
  }
  const proxy: CuttableProxy = {
    port: address.port,
    cut: () => {
      isCut = true
      for (const socket of open) {
        socket.resetAndDestroy()
      }
    },
    mend: () => {
      isCut = false
    },
    refused: () => new Promise((resolve) => onRefused.push(resolve)),
    close: async () => {
      for (const socket of open) {
        socket.destroy()
      }
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return proxy
}
