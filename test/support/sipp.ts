/**
 * SIPp (Debian package sip-tester, SIPp 3.6.1) as a real SIP peer for interop tests: runs one
 * scenario, either a built-in one (`-sn uac`, `-sn uas`…) or an XML file of ours from
 * test/interop/sipp/, against a target on loopback, and reports what SIPp made of it.
 *
 * - startSipp() spawns SIPp and resolves once it has bound its SIP port, so a test can point
 *   its own UAC at `port` without sleeping. The port is one we pick (see freeUdpPort) unless
 *   the options give one; SIPp's stdout is a pipe it writes its screen to only once a second,
 *   so it cannot tell us a port it chose itself. Readiness is read from /proc (Linux): the SIP
 *   port appears in /proc/net/udp with an inode that is one of SIPp's own open sockets.
 * - runSipp() runs one scenario to the end and returns `{ exitCode, stats, messageLog,
 *   errorLog, screen }`.
 *
 * SIPp's exit codes (its man page, and measured here): 0 when every call succeeded, 1 when
 * at least one failed, 97 when it stopped on an internal command or on `-timeout` without
 * `-timeout_error`, 99 when it ended without processing a call, 255 on a fatal error (or
 * `-timeout` with `-timeout_error`, which this module passes), 254 when it could not bind its
 * socket. On 254 with a port we picked, we pick another and start again.
 *
 * Things SIPp 3.6.1 does on its own that matter to tests running side by side: besides the
 * SIP port it binds two media ports (6000 and 6002 by default, stepping by 2 past ports in
 * use) and a control port (8888, stepping by 1, on 0.0.0.0 unless `-ci`); it finds free ones
 * by itself, so parallel runs do not collide, and we pass `-ci` so the control socket stays on
 * loopback. Without `-nostdin` it reads keys from stdin; without a TTY it still prints its
 * screen to stdout, which we keep (the last screen) for failure messages.
 *
 * A missing `sipp` is an error naming the Debian package: interop tests fail without their
 * peer, they never skip.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The Debian package that provides /usr/bin/sipp. */
export const SIPP_DEBIAN_PACKAGE = 'sip-tester'

/** SIPp's exit codes (see the module comment). */
export const SIPP_EXIT = {
  allCallsSucceeded: 0,
  someCallsFailed: 1,
  internalCommandOrTimeout: 97,
  noCallProcessed: 99,
  bindFailed: 254,
  fatal: 255,
} as const

/** The scenario: a built-in name (`sipp -sd <name>` prints it) or one of our XML files. */
export type SippScenario = { readonly builtIn: string } | { readonly file: string }

export interface SippOptions {
  readonly scenario: SippScenario
  /** The address SIPp binds (`-i` and `-bind_local`). Default 127.0.0.1. */
  readonly localHost?: string
  /** SIPp's SIP port (`-p`). Default: a free one we pick. */
  readonly localPort?: number
  /** Where a UAC scenario sends its requests; a UAS scenario answers whoever calls. */
  readonly remote?: { readonly host: string; readonly port: number }
  /** `-m`: stop after this many calls. Default 1. */
  readonly calls?: number
  /** `-r`: calls started per second (UAC). SIPp's default is 10. */
  readonly callsPerSecond?: number
  /** `-s`: the user part of the Request-URI ([service]). SIPp's default is `service`. */
  readonly service?: string
  /**
   * `-timeout` (with `-timeout_error`): SIPp gives up and exits 255 after this long. Default 30.
   */
  readonly timeoutSeconds?: number
  /** We kill SIPp (SIGTERM, then SIGKILL) after this long. Default timeoutSeconds + 5 s. */
  readonly deadlineMs?: number
  /** Aborting kills SIPp; the result then rejects. */
  readonly signal?: AbortSignal
  /** More SIPp arguments, passed as they are (`-key`, `-set`, `-recv_timeout`…). */
  readonly extraArgs?: readonly string[]
}

export interface SippStats {
  /** SuccessfulCall(C) of the last line of SIPp's statistics file (`-trace_stat`). */
  readonly successful: number
  /** FailedCall(C). */
  readonly failed: number
}

export interface SippResult {
  readonly exitCode: number
  readonly stats: SippStats
  /** The text of `-trace_msg`: every message SIPp sent and received, with timestamps. */
  readonly messageLog: string
  /** The text of `-trace_err`: unexpected messages and the events SIPp reports; often empty. */
  readonly errorLog: string
  /** The last statistics screen SIPp printed to stdout, and its stderr. */
  readonly screen: string
  readonly wallMs: number
}

export interface SippRun {
  /**
   * SIPp's SIP port, bound by the time startSipp resolves, unless SIPp has already run its
   * calls to the end (exit 0 or 1), when `done` is settled too.
   */
  readonly port: number
  readonly pid: number
  readonly done: Promise<SippResult>
  /** SIGTERM (then SIGKILL); `done` then rejects. */
  stop(): void
  /** The `-trace_msg` log as SIPp has written it so far (it writes each message as it goes). */
  messagesSoFar(): Promise<string>
}

const DEFAULT_TIMEOUT_SECONDS = 30
const DEADLINE_SLACK_MS = 5000
const BIND_ATTEMPTS = 3
const READY_POLL_MS = 10
const OUTPUT_KEEP = 64 * 1024

/**
 * A UDP port nobody holds right now, below the kernel's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range): a port the kernel hands out to a socket bound to
 * port 0 (every client socket, every media port left to the system) could be taken by anyone
 * between our check and SIPp's or faxd's bind, and a test that fixed it in faxd's settings
 * could not pick another. Below that range only another explicit pick can take it, and picks
 * never meet: each is claimed first (claimPort), so no two picks of the test processes running
 * side by side, nor two of one process, answer the same port (two random picks met once in CI:
 * faxd's SIP port was SIPp's of another test file by the time faxd bound it). Where the range
 * leaves no room below it, the kernel chooses (bind port 0).
 */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const below = await ephemeralRangeStart()
  if (below - PICKED_PORTS_FROM >= 1000) {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const port = PICKED_PORTS_FROM + Math.floor(Math.random() * (below - PICKED_PORTS_FROM))
      if ((await claimPort(port)) && (await boundUdpPort(host, port)) !== null) {
        return port
      }
    }
  }
  const port = await boundUdpPort(host, 0)
  if (port === null) {
    throw new Error(`no UDP port can be bound on ${host}`)
  }
  return port
}

/** Where the claims of picked ports are: a file per port, holding the claiming process's pid. */
const PORT_CLAIMS = join(tmpdir(), 'faxd-test-port-claims')

/**
 * Claims `port` for this process for as long as it lives: creates its claim file exclusively,
 * or takes over one whose process has ended. False when a live process (this one included)
 * holds it.
 */
async function claimPort(port: number): Promise<boolean> {
  await mkdir(PORT_CLAIMS, { recursive: true })
  const file = join(PORT_CLAIMS, String(port))
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' })
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error
      }
    }
    const holder = Number(await readFile(file, 'utf8').catch(() => ''))
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
      return false
    }
    await rm(file, { force: true })
  }
  return false
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Where our picks start: above SIPp's own media (6000…) and control (8888…) ports. */
const PICKED_PORTS_FROM = 10_000

async function ephemeralRangeStart(): Promise<number> {
  try {
    const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
    return Number(range.trim().split(/\s+/)[0]) || 0
  } catch {
    return 0
  }
}

/** Binds `port` (0: any) and closes it again; the port bound, or null when it is taken. */
async function boundUdpPort(host: string, port: number): Promise<number | null> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4')
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(port, host, resolve)
    })
    const bound = socket.address().port
    socket.close()
    return bound
  } catch {
    socket.close()
    return null
  }
}

/** SIPp's command-line arguments for these options, its trace files going to `traceDir`. */
export function sippArguments(options: SippOptions, port: number, traceDir: string): string[] {
  const host = options.localHost ?? '127.0.0.1'
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS
  const args =
    'builtIn' in options.scenario
      ? ['-sn', options.scenario.builtIn]
      : ['-sf', options.scenario.file]
  if (options.remote !== undefined) {
    const { host: remoteHost, port: remotePort } = options.remote
    args.push(
      remoteHost.includes(':') ? `[${remoteHost}]:${remotePort}` : `${remoteHost}:${remotePort}`,
    )
  }
  args.push('-i', host, '-bind_local', '-ci', host, '-p', String(port))
  args.push('-m', String(options.calls ?? 1))
  if (options.callsPerSecond !== undefined) {
    args.push('-r', String(options.callsPerSecond))
  }
  if (options.service !== undefined) {
    args.push('-s', options.service)
  }
  args.push('-timeout', `${timeoutSeconds}s`, '-timeout_error', '-nostdin')
  args.push('-trace_msg', '-message_file', join(traceDir, 'messages.log'))
  args.push('-trace_err', '-error_file', join(traceDir, 'errors.log'))
  args.push('-trace_stat', '-stf', join(traceDir, 'stats.csv'))
  args.push(...(options.extraArgs ?? []))
  return args
}

/** Starts SIPp; resolves once it is bound to its SIP port. */
export async function startSipp(options: SippOptions): Promise<SippRun> {
  for (let attempt = 1; ; attempt++) {
    const port = options.localPort ?? (await freeUdpPort(options.localHost))
    const run = await startOnce(options, port)
    if (run !== 'bind-failed') {
      return run
    }
    if (options.localPort !== undefined || attempt >= BIND_ATTEMPTS) {
      throw new Error(`sipp could not bind UDP port ${port} (exit 254)`)
    }
  }
}

/** Runs one scenario to the end. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const run = await startSipp(options)
  return run.done
}

async function startOnce(options: SippOptions, port: number): Promise<SippRun | 'bind-failed'> {
  options.signal?.throwIfAborted()
  const traceDir = await mkdtemp(join(tmpdir(), 'faxd-sipp-'))
  const started = Date.now()
  const child = spawn('sipp', sippArguments(options, port, traceDir), {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output = keepOutput(child)
  const deadlineMs =
    options.deadlineMs ??
    (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000 + DEADLINE_SLACK_MS
  let stopReason: Error | undefined
  const stopWith = (reason: Error): void => {
    stopReason ??= reason
    terminate(child)
  }
  const deadline = setTimeout(() => {
    stopWith(new Error(`sipp was still running after ${deadlineMs} ms`))
  }, deadlineMs)
  const onAbort = (): void => {
    stopWith(new Error('sipp was aborted', { cause: options.signal?.reason }))
  }
  options.signal?.addEventListener('abort', onAbort, { once: true })

  let spawnError: Error | undefined
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      resolve([code, signal])
    })
    child.once('error', (error) => {
      spawnError = error
      if (child.pid === undefined) {
        resolve([null, null]) // it never started, so no 'close' is coming
      }
    })
  })
  let closed = false
  const done = exited
    .then(async ([code, signal]): Promise<SippResult> => {
      closed = true
      clearTimeout(deadline)
      options.signal?.removeEventListener('abort', onAbort)
      const screen = output.text()
      const failure = (what: string, cause?: unknown): Error =>
        new Error(`${what}\n--- sipp output (tail) ---\n${screen}`, { cause })
      if (spawnError !== undefined) {
        if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new Error(
            `sipp is not installed: apt-get install ${SIPP_DEBIAN_PACKAGE} (SIPp 3.6)`,
            { cause: spawnError },
          )
        }
        throw failure(`sipp could not run: ${spawnError.message}`, spawnError)
      }
      if (stopReason !== undefined) {
        throw failure(stopReason.message, stopReason.cause)
      }
      if (code === null) {
        throw failure(`sipp was killed by ${String(signal)}`)
      }
      const [messageLog, errorLog, statsCsv] = await Promise.all(
        ['messages.log', 'errors.log', 'stats.csv'].map((name) =>
          readFile(join(traceDir, name), 'utf8').catch(() => ''),
        ),
      )
      return {
        exitCode: code,
        stats: parseSippStats(statsCsv ?? ''),
        messageLog: messageLog ?? '',
        errorLog: errorLog ?? '',
        screen,
        wallMs: Date.now() - started,
      }
    })
    .finally(() => rm(traceDir, { recursive: true, force: true }))
  // The caller may await only `port`; a failure still surfaces through `done` when awaited.
  done.catch(() => undefined)

  // Bound, or ended first (bind failure, a bad scenario, sipp missing).
  while (!closed) {
    if (child.pid !== undefined && (await ownsUdpPort(child.pid, port))) {
      return {
        port,
        pid: child.pid,
        done,
        stop: () => stopWith(new Error('sipp was stopped')),
        messagesSoFar: () => readFile(join(traceDir, 'messages.log'), 'utf8').catch(() => ''),
      }
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, READY_POLL_MS))])
  }
  const result = await done // throws what went wrong, if something did
  if (result.exitCode === SIPP_EXIT.bindFailed) {
    return 'bind-failed'
  }
  if (
    result.exitCode === SIPP_EXIT.allCallsSucceeded ||
    result.exitCode === SIPP_EXIT.someCallsFailed
  ) {
    // It placed or took its calls, so it was bound: a UAC on loopback can finish all of them
    // between two polls (5 calls in 0.12 s has been seen), and that is a result, not a failure.
    return {
      port,
      pid: child.pid ?? 0,
      done,
      stop: () => undefined,
      messagesSoFar: () => Promise.resolve(result.messageLog),
    }
  }
  throw new Error(
    `sipp ended (exit ${result.exitCode}) before it bound UDP port ${port}\n${result.screen}`,
  )
}

/**
 * The statistics file is `;`-separated, a header line and then one line per dump (`-fd`,
 * and one at exit); the cumulative counters of the last line are the run's totals.
 */
export function parseSippStats(csv: string): SippStats {
  const lines = csv.split('\n').filter((line) => line.trim() !== '')
  const header = lines[0]?.split(';') ?? []
  const last = lines.length > 1 ? (lines[lines.length - 1]?.split(';') ?? []) : []
  const counter = (name: string): number => {
    const value = Number(last[header.indexOf(name)])
    return Number.isInteger(value) ? value : 0
  }
  return { successful: counter('SuccessfulCall(C)'), failed: counter('FailedCall(C)') }
}

/** Whether process `pid` holds a UDP socket bound to `port` (Linux /proc). */
async function ownsUdpPort(pid: number, port: number): Promise<boolean> {
  const inodes = new Set<string>()
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(table, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
      if (fields[1]?.endsWith(`:${hexPort}`) === true && fields[9] !== undefined) {
        inodes.add(fields[9])
      }
    }
  }
  if (inodes.size === 0) {
    return false
  }
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [])
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
    if (inode !== undefined && inodes.has(inode)) {
      return true
    }
  }
  return false
}

/** Keeps the tail of stdout and stderr together (SIPp's last screen, its error lines). */
function keepOutput(child: ChildProcess): { text(): string } {
  let text = ''
  const add = (chunk: Buffer): void => {
    text += chunk.toString('utf8')
    if (text.length > 2 * OUTPUT_KEEP) {
      text = text.slice(-OUTPUT_KEEP)
    }
  }
  child.stdout?.on('data', add)
  child.stderr?.on('data', add)
  return {
    text: () => {
      // Each screen starts with this banner; the last one (and what follows) is the final state.
      const at = text.lastIndexOf('------------------------------ Scenario Screen')
      const tail = at < 0 ? text : text.slice(at)
      return tail.length > OUTPUT_KEEP ? tail.slice(-OUTPUT_KEEP) : tail
    },
  }
}

/** SIGTERM; SIGKILL if it has not ended 2 s later. */
function terminate(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) {
    return
  }
  child.kill('SIGTERM')
  const kill = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
    }
  }, 2000)
  kill.unref()
}
