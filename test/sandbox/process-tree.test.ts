/**
 * The processes of a tree, and the processes whose command line names something (a render's
 * folder: render processes are waited for by it), read from /proc as a render's are.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { descendantsOf, processesMentioning } from '../../src/sandbox/process-tree.js'

describe('process-tree', () => {
  it('finds a running process by a word of its command line, and not once it has ended', async () => {
    const marker = `/tmp/faxd-marker-${randomUUID()}`
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], {
      stdio: 'ignore',
    })
    await once(child, 'spawn')
    try {
      assert.deepEqual(await processesMentioning(marker), [child.pid])
      assert.ok((await descendantsOf(process.pid)).includes(child.pid ?? -1))
      assert.deepEqual(await processesMentioning(`${marker}-other`), [])
    } finally {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
    assert.deepEqual(await processesMentioning(marker), [])
  })
})
