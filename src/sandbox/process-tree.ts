/**
 * A process and everything it started, and their resident memory, read from /proc (Linux): a
 * confined render is bwrap, the process it runs, and whatever that starts (LibreOffice), and
 * its memory is all of theirs.
 */
import { readdir, readFile } from 'node:fs/promises'

/** Sum of VmRSS over `pid` and its descendants; 0 where /proc cannot be read. */
export async function treeResidentBytes(pid: number): Promise<number> {
  let total = await residentBytes(pid)
  for (const descendant of await descendantsOf(pid)) {
    total += await residentBytes(descendant)
  }
  return total
}

/** The processes `pid` started, and theirs, and so on (not `pid` itself); [] without /proc. */
export async function descendantsOf(pid: number): Promise<number[]> {
  const found: number[] = []
  const seen = new Set<number>([pid])
  const pending = [pid]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const child of await childrenOf(next)) {
      if (!seen.has(child)) {
        seen.add(child)
        found.push(child)
        pending.push(child)
      }
    }
  }
  return found
}

/** The processes of this machine whose command line holds `text`; [] without /proc. */
export async function processesMentioning(text: string): Promise<number[]> {
  let entries: string[]
  try {
    entries = await readdir('/proc')
  } catch {
    return []
  }
  const found: number[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) {
      continue
    }
    // Arguments are separated by NUL octets; `text` is looked for in each.
    const command = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (command.split('\0').some((argument) => argument.includes(text))) {
      found.push(Number(entry))
    }
  }
  return found
}

async function residentBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status)
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** The children of every thread of `pid` (proc(5): /proc/PID/task/TID/children). */
async function childrenOf(pid: number): Promise<number[]> {
  let threads: string[]
  try {
    threads = await readdir(`/proc/${pid}/task`)
  } catch {
    return []
  }
  const children: number[] = []
  for (const thread of threads) {
    try {
      const text = await readFile(`/proc/${pid}/task/${thread}/children`, 'utf8')
      children.push(
        ...text
          .split(' ')
          .filter((each) => each.trim() !== '')
          .map(Number),
      )
    } catch {
      // The thread ended while we looked.
    }
  }
  return children
}
