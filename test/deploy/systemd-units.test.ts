/**
 * The systemd units of deploy/: systemd's own checker finds nothing to say of them, and the
 * command each starts, with the environment it gives, runs as the service manager would run it:
 * it starts, answers its probe, and on the unit's KillSignal stops with status 0 within the
 * unit's TimeoutStopSec. Only /opt/faxd (where docs/operating.md installs faxd) becomes this
 * checkout, FAXD_DATA a folder of the test's own, and ports free ones.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../support/project-root.js'

const run = promisify(execFile)
const UNITS = ['faxd.service', 'faxd-worker.service']
const INSTALLED_AT = '/opt/faxd'

interface Unit {
  /** Each key of the [Service] section, with every value it is given, in order. */
  readonly service: ReadonlyMap<string, readonly string[]>
}

/** The [Service] section of a unit file (systemd.syntax(7): comments, `Key=value` lines). */
async function readUnit(name: string): Promise<Unit> {
  const text = await readFile(join(PROJECT_ROOT, 'deploy', name), 'utf8')
  const service = new Map<string, string[]>()
  let section = ''
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) {
      continue
    }
    const header = /^\[(.+)\]$/.exec(line)
    if (header) {
      section = header[1]!
      continue
    }
    const equals = line.indexOf('=')
    if (section === 'Service' && equals > 0) {
      const key = line.slice(0, equals)
      service.set(key, [...(service.get(key) ?? []), line.slice(equals + 1)])
    }
  }
  return { service }
}

function only(unit: Unit, key: string): string {
  const values = unit.service.get(key)
  assert.equal(values?.length, 1, `${key}= once`)
  return values[0]!
}

/** What the unit's Environment= lines give (no quoting in ours, one assignment a line). */
function environment(unit: Unit): Record<string, string> {
  return Object.fromEntries(
    (unit.service.get('Environment') ?? []).map((assignment) => {
      const equals = assignment.indexOf('=')
      return [assignment.slice(0, equals), assignment.slice(equals + 1)]
    }),
  )
}

/**
 * Starts ExecStart as systemd would (the unit's environment and working directory), with
 * `overrides` on top; resolves with the child and the first stderr match of `ready`.
 */
async function start(unit: Unit, overrides: Record<string, string>, ready: RegExp) {
  const here = (text: string) => text.replaceAll(INSTALLED_AT, PROJECT_ROOT)
  const [program, ...args] = here(only(unit, 'ExecStart')).split(' ')
  assert.equal(program, '/usr/bin/node', "ExecStart runs Debian's Node.js by its full path")
  const child = spawn(process.execPath, args, {
    cwd: here(only(unit, 'WorkingDirectory')),
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...environment(unit), ...overrides },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      const found = ready.exec(stderr)
      if (found) {
        resolve(found)
      }
    })
    child.once('close', (code) =>
      reject(new Error(`exited ${String(code)} before ready:\n${stderr}`)),
    )
  })
  return { child, match }
}

/** Sends the unit's KillSignal; resolves with the exit status once it has stopped. */
async function stop(unit: Unit, child: ReturnType<typeof spawn>): Promise<number | null> {
  const signal = only(unit, 'KillSignal') as NodeJS.Signals
  const limitMs = Number(only(unit, 'TimeoutStopSec')) * 1000
  const closed = once(child, 'close') as Promise<[number | null]>
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs)
  const [code] = await closed
  clearTimeout(timer)
  return code
}

describe('the systemd units of deploy/', () => {
  let data: string

  before(async () => {
    data = await mkdtemp(join(tmpdir(), 'faxd-unit-'))
  })
  after(async () => rm(data, { recursive: true, force: true }))

  for (const name of UNITS) {
    it(`systemd-analyze verify has nothing to say of ${name}`, async () => {
      const { stdout, stderr } = await run('systemd-analyze', [
        'verify',
        join(PROJECT_ROOT, 'deploy', name),
      ])
      // verify exits 0 on a value it cannot parse too, and says so: silence is the check.
      assert.equal(stdout + stderr, '')
    })
  }

  it('faxd.service: serve starts, is ready, and stops with status 0 on SIGTERM', async () => {
    const unit = await readUnit('faxd.service')
    assert.equal(environment(unit)['FAXD_DATA'], '/var/lib/faxd')
    assert.deepEqual(unit.service.get('StateDirectory'), ['faxd'])
    const { child, match } = await start(
      unit,
      { FAXD_DATA: join(data, 'serve'), PORT: '0' },
      /faxd listening on (http:\/\/\S+) /,
    )
    const ready = await fetch(`${match[1]}/readyz`)
    assert.equal(ready.status, 200, await ready.text())
    assert.equal(await stop(unit, child), 0)
  })

  it('faxd-worker.service: worker starts, serves its metrics, and stops with status 0', async () => {
    const unit = await readUnit('faxd-worker.service')
    assert.match(environment(unit)['FAXD_METRICS_LISTEN'] ?? '', /^127\.0\.0\.1:9464$/)
    const { child, match } = await start(
      unit,
      { FAXD_DATA: join(data, 'worker'), FAXD_METRICS_LISTEN: '127.0.0.1:0' },
      /faxd worker started \(data in .+; metrics at (http:\/\/\S+)\)/,
    )
    const metrics = await fetch(match[1]!)
    assert.equal(metrics.status, 200)
    assert.match(await metrics.text(), /^# TYPE /m)
    assert.equal(await stop(unit, child), 0)
  })
})
