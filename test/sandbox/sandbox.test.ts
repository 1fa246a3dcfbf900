/**
 * The sandbox is really there. A helper program, started through the same launcher and with the
 * same view as a render process (confine + renderView), tries what a hostile document converted
 * inside it would try: connect to this host over TCP (loopback and its own address), read a
 * file of the data folder, write into its input, look at other processes. Every attempt fails
 * inside the sandbox, and the same helper run without one succeeds at each (so the helper's
 * attempts are real).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { RenderFolder } from '../../src/rendering/render-sandbox.js'
import {
  createRenderFolder,
  removeRenderFolder,
  renderView,
} from '../../src/rendering/render-sandbox.js'
import { bubblewrapArguments } from '../../src/sandbox/bubblewrap.js'
import type { Sandbox, SandboxView } from '../../src/sandbox/sandbox.js'
import { confine } from '../../src/sandbox/sandbox.js'
import { TEST_SANDBOX } from '../support/test-app.js'

const RENDER_ENTRY = new URL('../../src/rendering/render-process.ts', import.meta.url)

/** What the helper reports: for each attempt, 'ok' or the error code it met. */
interface Attempts {
  loopback: string
  ownAddress: string | null
  dataFile: string
  writeInput: string
  etcPasswd: string
  processes: number
  capabilities: string
  environment: string[]
}

/** The helper, as a hostile converter would act; it prints its Attempts as JSON. */
const HELPER = `
import { connect } from 'node:net'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
const [port, ownAddress, dataFile, input] = process.argv.slice(2)
const outcome = (action) => { try { action(); return 'ok' } catch (error) { return error.code ?? String(error) } }
const tcp = (host) => new Promise((resolve) => {
  const socket = connect({ host, port: Number(port), timeout: 5000 })
  socket.on('connect', () => { socket.end(); resolve('ok') })
  socket.on('timeout', () => { socket.destroy(); resolve('timeout') })
  socket.on('error', (error) => resolve(error.code ?? String(error)))
})
const status = readFileSync('/proc/self/status', 'utf8')
console.log(JSON.stringify({
  loopback: await tcp('127.0.0.1'),
  ownAddress: ownAddress === '-' ? null : await tcp(ownAddress),
  dataFile: outcome(() => readFileSync(dataFile)),
  writeInput: outcome(() => writeFileSync(input + '/planted', 'x')),
  etcPasswd: outcome(() => readFileSync('/etc/passwd')),
  processes: readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name)).length,
  capabilities: /^CapEff:\\s+(\\S+)/m.exec(status)[1],
  environment: Object.keys(process.env).sort(),
}))
`

function ownAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address
}

function run(command: {
  command: string
  args: readonly string[]
  env: NodeJS.ProcessEnv
  cwd: string
}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.command, command.args, { env: command.env, cwd: command.cwd })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) {
        resolve(stdout)
      } else {
        reject(new Error(`exit ${code}: ${stderr}`))
      }
    })
  })
}

/** Each test's limit: each takes well under a second on an idle machine. */
const PER_TEST = { timeout: 30_000 }

describe('the render sandbox', () => {
  let work: string
  let dataDir: string
  let dataFile: string
  let folder: RenderFolder
  let server: Server
  let port: number
  let connections = 0

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'faxd-sandbox-'))
    dataDir = join(work, 'data')
    mkdirSync(join(dataDir, 'files', 'outbox', 'another-account'), { recursive: true })
    dataFile = join(dataDir, 'files', 'outbox', 'another-account', 'page.tif')
    writeFileSync(dataFile, 'TENANT B CONFIDENTIAL')
    folder = await createRenderFolder()
    writeFileSync(join(folder.input, 'helper.mjs'), HELPER)
    server = createServer((socket) => {
      connections++
      socket.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    await new Promise((resolve) => server.close(resolve))
    await removeRenderFolder(folder)
    rmSync(work, { recursive: true, force: true })
  })

  async function attempts(sandbox: Sandbox): Promise<Attempts> {
    const view = renderView(folder, RENDER_ENTRY, 'soffice', {})
    const command = confine(sandbox, view, process.execPath, [
      join(folder.input, 'helper.mjs'),
      String(port),
      ownAddress() ?? '-',
      dataFile,
      folder.input,
    ])
    return JSON.parse(await run(command)) as Attempts
  }

  it(
    'inside: no connection, no data file, no write to the input, no other process',
    PER_TEST,
    async () => {
      connections = 0
      const inside = await attempts({ ...TEST_SANDBOX, hidden: [dataDir] })
      assert.equal(inside.loopback, 'ECONNREFUSED') // its own loopback, where nothing listens
      if (inside.ownAddress !== null) {
        assert.equal(inside.ownAddress, 'ENETUNREACH')
      }
      assert.equal(connections, 0)
      assert.equal(inside.dataFile, 'ENOENT')
      assert.equal(inside.writeInput, 'EROFS')
      assert.equal(inside.etcPasswd, 'ENOENT')
      // bwrap's own init and the helper: nothing of the host's processes.
      assert.ok(inside.processes <= 3, `${inside.processes} processes seen`)
      assert.equal(inside.capabilities, '0000000000000000')
      // Nothing of this process's environment (tokens, database URLs): only the view's, and PWD.
      assert.deepEqual(inside.environment, ['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR'])
    },
  )

  it('outside (no sandbox), the same helper reaches all of it', PER_TEST, async () => {
    connections = 0
    process.env['FAXD_TEST_SECRET'] = 'not for documents'
    const outside = await attempts({ kind: 'none' })
    delete process.env['FAXD_TEST_SECRET']
    assert.equal(outside.loopback, 'ok')
    // Unconfined, but still only the view's environment: none of this process's secrets.
    assert.deepEqual(outside.environment, ['HOME', 'LANG', 'PATH', 'TMPDIR'])
    assert.equal(outside.dataFile, 'ok')
    assert.equal(outside.writeInput, 'ok')
    assert.ok(outside.processes > 3)
    assert.ok(connections >= 1)
    rmSync(join(folder.input, 'planted'), { force: true })
  })

  it(
    'hides the data folder even where it lies inside a folder the work may read',
    PER_TEST,
    async () => {
      const parent = join(work, 'shared')
      mkdirSync(join(parent, 'data'), { recursive: true })
      writeFileSync(join(parent, 'visible.txt'), 'visible')
      writeFileSync(join(parent, 'data', 'secret.txt'), 'secret')
      const view: SandboxView = {
        readOnly: [parent],
        writable: [],
        env: { PATH: '/usr/bin:/bin' },
        cwd: '/',
      }
      const script = `const fs = require('node:fs'); const read = (f) => { try { return fs.readFileSync(f, 'utf8') } catch (e) { return e.code } }; console.log(JSON.stringify([read('${parent}/visible.txt'), read('${parent}/data/secret.txt'), fs.readdirSync('${parent}/data')]))`
      const sandbox: Sandbox = { ...TEST_SANDBOX, hidden: [join(parent, 'data')] }
      const seen = JSON.parse(await run(confine(sandbox, view, process.execPath, ['-e', script])))
      assert.deepEqual(seen, ['visible', 'ENOENT', []])
    },
  )
})

describe('bubblewrap arguments', () => {
  const view: SandboxView = {
    readOnly: ['/srv/faxd/node_modules', '/srv/faxd/src'],
    writable: ['/tmp/faxd-render-1/out'],
    env: { PATH: '/usr/bin', HOME: '/tmp/faxd-render-1/tmp' },
    cwd: '/srv/faxd',
  }
  const links = [
    { path: '/bin', target: 'usr/bin' },
    { path: '/lib', target: null },
  ]

  it('takes every namespace and capability away, and clears the environment', PER_TEST, () => {
    const args = bubblewrapArguments(view, [], links)
    for (const flag of ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv']) {
      assert.ok(args.includes(flag), flag)
    }
    assert.deepEqual(args.slice(args.indexOf('--cap-drop'), args.indexOf('--cap-drop') + 2), [
      '--cap-drop',
      'ALL',
    ])
    assert.ok(
      args.join(' ').includes('--setenv PATH /usr/bin --setenv HOME /tmp/faxd-render-1/tmp'),
    )
    assert.ok(args.join(' ').includes('--symlink usr/bin /bin'))
    assert.ok(args.join(' ').includes('--ro-bind /lib /lib'))
    assert.ok(args.join(' ').endsWith('--chdir /srv/faxd'))
  })

  it(
    'mounts a folder before the folders inside it (the job folder lands on /tmp)',
    PER_TEST,
    () => {
      const args = bubblewrapArguments(view, [], links)
      assert.ok(args.indexOf('/tmp') < args.indexOf('/tmp/faxd-render-1/out'))
      assert.ok(args.indexOf('/usr') < args.indexOf('/srv/faxd/src'))
    },
  )

  it('covers a hidden path only where it lies inside what is bound', PER_TEST, () => {
    const args = bubblewrapArguments(
      view,
      ['/srv/faxd/node_modules/data', '/var/lib/faxd', '/usr/local/faxd-data'],
      links,
    )
    const tmpfs = args.flatMap((arg, index) => (arg === '--tmpfs' ? [args[index + 1]] : []))
    assert.deepEqual(tmpfs, ['/tmp', '/usr/local/faxd-data', '/srv/faxd/node_modules/data'])
  })
})
