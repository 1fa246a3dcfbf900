/**
 * The resident memory of a process and everything it started, read from /proc (Linux): a
 * confined render is bwrap, the process it runs, and whatever that starts (LibreOffice), and
 * its memory is all of theirs.
 */
import { readdir, readFile } from 'node:fs/promises'

/** Sum of VmRSS over `pid` and its descendants; 0 where /proc cannot be read. */
export async function treeResidentBytes(pid: number): Promise<number> {
  let total = 0
  const pending = [pid]
  const seen = new Set<number>()
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (seen.has(next)) {
      continue
    }
    seen.add(next)
    total += await residentBytes(next)
    pending.push(...(await childrenOf(next)))
  }
  return total
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
