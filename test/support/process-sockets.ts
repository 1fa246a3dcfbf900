/**
 * The local ports of a process's TCP sockets, read from /proc (Linux): its open descriptors
 * name their sockets by inode, and /proc/net/tcp and tcp6 give each inode's local address. A
 * test can then find that process's connections in pg_stat_activity (client_port).
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'

export function localTcpPorts(pid: number): number[] {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`)
    } catch {
      continue // closed since the listing
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
    if (inode !== undefined) {
      inodes.add(inode)
    }
  }
  const ports: number[] = []
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      const local = fields[1]
      if (local !== undefined && inodes.has(fields[9] ?? '')) {
        ports.push(parseInt(local.split(':')[1] ?? '', 16))
      }
    }
  }
  return ports
}
