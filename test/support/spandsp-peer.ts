/**
 * spandsp as a real T.38 peer for interop tests: builds test/interop/spandsp-peer.c (spandsp
 * 0.0.6's T.38 terminal on a UDP socket, with our own UDPTL framing) and runs it as a child
 * process that sends or receives one TIFF-F document in real time, then reports what spandsp
 * made of the call.
 *
 * - buildSpandspPeer() compiles the harness once into node_modules/.cache/faxd-interop/, named
 *   by the SHA-256 of its source and flags, so test files building at the same time share one
 *   binary (each compiles to a temporary name and renames it into place).
 * - startSpandspPeer() starts one peer and resolves once it has bound its UDP port (the harness
 *   binds port 0 and prints {"listening":PORT} first, so there is no race for a free port).
 *   Point the other side at `peer.port`; a peer started without `remotePort` answers whoever
 *   sends to it first.
 * - runSpandspPeer() runs one peer to the end; runSpandspCall() runs a spandsp sender against a
 *   spandsp receiver.
 *
 * A missing gcc, pkg-config or libspandsp-dev is an error naming the Debian package to
 * install: interop tests fail without their peer, they never skip.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { access, constants, mkdir, readFile, rename, rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

const SOURCE = fileURLToPath(new URL('../interop/spandsp-peer.c', import.meta.url))
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/faxd-interop/', import.meta.url))
const CFLAGS = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror']

/** How long a peer may run when the options do not say (the harness's --max-seconds). */
const DEFAULT_MAX_SECONDS = 120
/** How long after --max-seconds the test side stops waiting and kills the process. */
const DEADLINE_SLACK_MS = 15_000
/** How much of stderr is kept (the tail); --log writes a few hundred KB per call. */
const STDERR_KEEP = 512 * 1024
const STDERR_TAIL_IN_ERRORS = 4000

export type SpandspCompression = 'mh' | 'mr' | 'mmr'

/**
 * The codings a station offers so that `best` is the one two stations agree on: MH always, MR
 * above it, MMR above both (for faxd's capabilities and spandsp's --compressions alike).
 */
export function codingsUpTo(best: SpandspCompression): SpandspCompression[] {
  return best === 'mmr' ? ['mh', 'mr', 'mmr'] : best === 'mr' ? ['mh', 'mr'] : ['mh']
}
export type SpandspModem = 'v17' | 'v29' | 'v27ter'
export type SpandspResolution =
  | 'standard'
  | 'fine'
  | 'superfine'
  | 'r4'
  | 'r8'
  | 'r16'
  | '300x300'
  | '400x400'
  | '600x600'
  | '1200x1200'
  | '300x600'
  | '400x800'
  | '600x1200'

interface SpandspPeerCommonOptions {
  /** Who places the call. Default: the sender calls, the receiver answers. */
  readonly role?: 'calling' | 'answering'
  /** UDP address to bind; default 127.0.0.1 and port 0 (any free port, reported as `port`). */
  readonly localHost?: string
  readonly localPort?: number
  /** The far end. Without remotePort (or with 0) the peer learns it from the first datagram. */
  readonly remoteHost?: string
  readonly remotePort?: number
  /** T38FaxVersion to speak (t38_set_t38_version). Default 0. */
  readonly version?: 0 | 1 | 2 | 3
  /** Offer or accept ECM. Default true. */
  readonly ecm?: boolean
  /** Codings to offer/accept. Default all three. */
  readonly compressions?: readonly SpandspCompression[]
  /** Image modems. Default all three. */
  readonly modems?: readonly SpandspModem[]
  /** Resolutions to support; default spandsp's own (standard, fine, superfine, R8 and more). */
  readonly resolutions?: readonly SpandspResolution[]
  /** Our CSI (answering) or TSI (calling): at most 20 characters. */
  readonly ident?: string
  /** Minimum scan-line time this terminal needs as a receiver (0–40 ms). */
  readonly minScanMs?: number
  /** UDPTL secondary IFPs per datagram (0–8). Default 3. */
  readonly redundancy?: number
  /** The harness gives up after this long (exit 3, result with timedOut). Default 120. */
  readonly maxSeconds?: number
  /**
   * A line that cannot carry fast data: bits of the harness's own outgoing t4-non-ecm data at
   * rates above this many bit/s are flipped, so its TCF there fails and the far end says FTT.
   */
  readonly spoilFastAbove?: number
  /**
   * A lossy line: every Nth UDPTL packet this peer sends (with its repeats) is dropped, so the
   * far end must recover it from the next packet's redundancy.
   */
  readonly dropEvery?: number
  /** T38_TERMINAL_OPTION_NO_PACING: stream as fast as possible (TCP-style). */
  readonly noPacing?: boolean
  /** List ECM FCD frames in `frames` too (they are always counted in `ecmFrames`). */
  readonly allFrames?: boolean
  /** spandsp's T.38 and T.30 logging to stderr (kept in `stderr`). */
  readonly log?: boolean
  /** Stops the peer (SIGTERM, then SIGKILL) and rejects. */
  readonly signal?: AbortSignal
  /** Kill the process and reject after this long. Default maxSeconds + 15 s. */
  readonly deadlineMs?: number
}

export type SpandspSenderOptions = SpandspPeerCommonOptions & {
  /** A TIFF-F file to send. */
  readonly send: string
  readonly receive?: never
}

export type SpandspReceiverOptions = SpandspPeerCommonOptions & {
  /** Where to write the received TIFF file. */
  readonly receive: string
  readonly send?: never
}

export type SpandspPeerOptions = SpandspSenderOptions | SpandspReceiverOptions

/**
 * A T.30 frame as spandsp 0.0.6's real-time frame handler gave it: address, control, FCF and
 * FIF, without the FCS.
 */
export interface SpandspFrame {
  /** rx: received from the far end; tx: sent by this peer. */
  readonly dir: 'rx' | 'tx'
  /** spandsp's name for the FCF: 'DIS', 'DCS', 'FTT', 'MCF', 'PPS', … */
  readonly name: string
  /**
   * The octets in spandsp's internal order: first bit on the line in the LSB, so DCS from the
   * caller is `ff 13 83 …` and ident characters read as plain ASCII.
   */
  readonly hex: string
  /** Every octet bit-reversed: the T.38 wire form the transmission brief uses (`ff c8 c1 …`). */
  readonly wireHex: string
}

/** t30_get_transfer_statistics() at one phase D (after each page's post-message command). */
export interface SpandspPhaseD {
  /** The post-message FCF spandsp reported: 'MCF', 'EOP', 'MPS', … */
  readonly event: string
  readonly pagesTx: number
  readonly pagesRx: number
  readonly bitRate: number
  readonly width: number
  readonly length: number
  readonly badRows: number
  readonly imageSize: number
}

/** The harness's result line: what spandsp says about the call at phase E. */
export interface SpandspCallReport {
  /** Phase E completion code: spandsp's T30_ERR_* (0 = T30_ERR_OK). */
  readonly completion: number
  readonly completionText: string
  readonly pagesTx: number
  readonly pagesRx: number
  readonly pagesInFile: number
  /** Image modem rate in bit/s. */
  readonly bitRate: number
  readonly ecm: 0 | 1
  /** spandsp's T4_COMPRESSION_* code: 1 T.4 1-D (MH), 2 T.4 2-D (MR), 3 T.6 (MMR). */
  readonly encoding: number
  readonly coding: SpandspCompression | 't85' | 't85-l0' | ''
  /** Of the last page, in pixels per metre: 8031 = R8; 3850 standard, 7700 fine, 15400 superfine. */
  readonly resolutionX: number
  readonly resolutionY: number
  readonly width: number
  /**
   * Rows of the last page. 0.0.6 has already reset this (and imageSize) for a receiver by
   * phase E; see phaseD for the received page's.
   */
  readonly length: number
  readonly badRows: number
  readonly longestBadRowRun: number
  readonly ecmRetries: number
  readonly imageSize: number
  /** The far end's TSI (when receiving) or CSI (when sending). */
  readonly remoteIdent: string
  /** Control frames in order (FCD frames only with `allFrames`). */
  readonly frames: readonly SpandspFrame[]
  readonly ecmFrames: { readonly tx: number; readonly rx: number }
  readonly phaseD: readonly SpandspPhaseD[]
  readonly udptl: {
    /** Datagrams sent, counting repeats. */
    readonly sent: number
    /** IFPs dropped because the peer's address was not known yet. */
    readonly unsent: number
    readonly received: number
    /** IFPs recovered from redundancy. */
    readonly recovered: number
    readonly duplicates: number
    readonly malformed: number
    /** Datagrams from an address other than the peer's. */
    readonly foreign: number
    /** IFPs whose data --spoil-fast-above flipped. */
    readonly spoiledIfps: number
    /** Packets not sent because of --drop-every. */
    readonly dropped: number
  }
  /** From the harness's start to phase E (or to the end when it timed out). */
  readonly elapsedMs: number
  readonly timedOut: boolean
  readonly interrupted: boolean
}

export interface SpandspPeerResult {
  /** The UDP port the peer was bound to. */
  readonly port: number
  /** 0: T30_ERR_OK; 1: another completion; 3: --max-seconds ran out. */
  readonly exitCode: number
  readonly report: SpandspCallReport
  /** The last part of stderr (all of it unless --log made it long). */
  readonly stderr: string
  /** From spawn to exit. */
  readonly wallMs: number
}

/** A running peer. */
export interface SpandspPeer {
  readonly port: number
  readonly pid: number
  /** Settles when the process has ended. */
  readonly done: Promise<SpandspPeerResult>
  /** Asks the peer to end the call now (SIGTERM); it still reports. */
  stop(): void
}

let built: Promise<string> | undefined

/** Compiles the harness (once per source version and machine) and returns the binary's path. */
export function buildSpandspPeer(): Promise<string> {
  if (built === undefined) {
    built = compile()
    built.catch(() => {
      built = undefined // let a later call try again
    })
  }
  return built
}

async function compile(): Promise<string> {
  const source = await readFile(SOURCE)
  const digest = createHash('sha256')
    .update(source)
    .update(CFLAGS.join(' '))
    .digest('hex')
    .slice(0, 12)
  const binary = `${CACHE_DIR}spandsp-peer-${digest}`
  try {
    await access(binary, constants.X_OK)
    return binary
  } catch {
    // not built yet
  }
  const spandsp = await pkgConfigSpandsp()
  await mkdir(CACHE_DIR, { recursive: true })
  const temporary = `${binary}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await run('gcc', [...CFLAGS, '-o', temporary, SOURCE, ...spandsp], { encoding: 'utf8' })
  } catch (error) {
    await rm(temporary, { force: true })
    throw new Error(`could not build ${SOURCE}:\n${toolOutput(error, 'gcc', 'gcc')}`, {
      cause: error,
    })
  }
  await rename(temporary, binary)
  return binary
}

/** The compiler and linker flags for libspandsp, from pkg-config. */
async function pkgConfigSpandsp(): Promise<string[]> {
  try {
    const { stdout } = await run('pkg-config', ['--cflags', '--libs', 'spandsp'], {
      encoding: 'utf8',
    })
    return stdout.split(/\s+/).filter((flag) => flag !== '')
  } catch (error) {
    if (isMissingTool(error)) {
      throw new Error(
        'pkg-config is not installed, needed to build the spandsp interop peer: apt-get install pkg-config',
        { cause: error },
      )
    }
    throw new Error(
      'pkg-config does not know spandsp: apt-get install libspandsp-dev (spandsp 0.0.6, with libtiff-dev)',
      { cause: error },
    )
  }
}

function isMissingTool(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT'
}

function toolOutput(error: unknown, tool: string, debianPackage: string): string {
  if (isMissingTool(error)) {
    return `${tool} is not installed: apt-get install ${debianPackage}`
  }
  const output = error as { stderr?: unknown; stdout?: unknown; message?: unknown }
  return [output.stderr, output.stdout, output.message]
    .filter((part) => typeof part === 'string' && part !== '')
    .join('\n')
}

/** The harness's command-line arguments for these options. */
export function spandspPeerArguments(options: SpandspPeerOptions): string[] {
  const args: string[] = []
  const add = (flag: string, value: string | number | undefined): void => {
    if (value !== undefined) {
      args.push(flag, String(value))
    }
  }
  if (options.send !== undefined) {
    add('--send', options.send)
  } else {
    add('--receive', options.receive)
  }
  if (options.role !== undefined) {
    args.push(`--${options.role}`)
  }
  add('--local-host', options.localHost)
  add('--local-port', options.localPort)
  add('--remote-host', options.remoteHost)
  add('--remote-port', options.remotePort)
  add('--version', options.version)
  add('--ecm', options.ecm === undefined ? undefined : Number(options.ecm))
  add('--compressions', options.compressions?.join(','))
  add('--modems', options.modems?.join(','))
  add('--resolutions', options.resolutions?.join(','))
  add('--ident', options.ident)
  add('--min-scan-ms', options.minScanMs)
  add('--redundancy', options.redundancy)
  add('--max-seconds', options.maxSeconds ?? DEFAULT_MAX_SECONDS)
  add('--spoil-fast-above', options.spoilFastAbove)
  add('--drop-every', options.dropEvery)
  if (options.noPacing === true) {
    args.push('--no-pacing')
  }
  if (options.allFrames === true) {
    args.push('--all-frames')
  }
  if (options.log === true) {
    args.push('--log')
  }
  return args
}

/** Starts a peer; resolves once it is bound to its UDP port. */
export async function startSpandspPeer(options: SpandspPeerOptions): Promise<SpandspPeer> {
  const binary = await buildSpandspPeer()
  options.signal?.throwIfAborted()
  const started = Date.now()
  const child = spawn(binary, spandspPeerArguments(options), {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output = collectOutput(child)
  const deadlineMs =
    options.deadlineMs ?? (options.maxSeconds ?? DEFAULT_MAX_SECONDS) * 1000 + DEADLINE_SLACK_MS
  let stopReason: Error | undefined
  const stopWith = (reason: Error): void => {
    stopReason ??= reason
    terminate(child)
  }
  const deadline = setTimeout(() => {
    stopWith(new Error(`spandsp-peer was still running after ${deadlineMs} ms`))
  }, deadlineMs)
  const onAbort = (): void => {
    stopWith(new Error('spandsp-peer was aborted', { cause: options.signal?.reason }))
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
  const done = exited.then(([code, signal]): SpandspPeerResult => {
    clearTimeout(deadline)
    options.signal?.removeEventListener('abort', onAbort)
    const failure = (what: string, cause?: unknown): Error =>
      new Error(`${what}\n--- spandsp-peer stderr (tail) ---\n${tail(output.stderr())}`, {
        cause,
      })
    if (stopReason !== undefined) {
      throw failure(stopReason.message, stopReason.cause)
    }
    if (spawnError !== undefined) {
      throw failure(`spandsp-peer (${binary}) could not run: ${spawnError.message}`, spawnError)
    }
    const report = output.report()
    if (report === undefined || output.port() === undefined || code === null) {
      throw failure(
        `spandsp-peer ended (${signal ?? `exit ${String(code)}`}) without a result line; stdout: ${tail(output.stdout())}`,
      )
    }
    return {
      port: output.port() ?? 0,
      exitCode: code,
      report,
      stderr: output.stderr(),
      wallMs: Date.now() - started,
    }
  })
  // The caller may await only `port`; a failure still surfaces through `done` when awaited.
  done.catch(() => undefined)

  const port = await Promise.race([
    output.listening,
    done.then(() => {
      throw new Error('spandsp-peer ended before it reported its port')
    }),
  ])
  return {
    port,
    pid: child.pid ?? 0,
    done,
    stop: () => {
      child.kill('SIGTERM')
    },
  }
}

/** Runs one peer to the end of its call. */
export async function runSpandspPeer(options: SpandspPeerOptions): Promise<SpandspPeerResult> {
  const peer = await startSpandspPeer(options)
  return peer.done
}

export interface SpandspCall {
  readonly sender: SpandspPeerResult
  readonly receiver: SpandspPeerResult
}

/**
 * A spandsp sender against a spandsp receiver on loopback: the receiver starts first (and
 * learns the sender's address from its first datagram), the sender is pointed at its port.
 */
export async function runSpandspCall(
  sender: Omit<SpandspSenderOptions, 'remotePort'>,
  receiver: Omit<SpandspReceiverOptions, 'remotePort'>,
): Promise<SpandspCall> {
  const answering = await startSpandspPeer({ ...receiver, remotePort: 0 })
  let calling: SpandspPeer
  try {
    calling = await startSpandspPeer({ ...sender, remotePort: answering.port })
  } catch (error) {
    answering.stop()
    await answering.done.catch(() => undefined)
    throw error
  }
  const [sent, received] = await Promise.allSettled([calling.done, answering.done])
  if (sent.status === 'rejected') {
    throw sent.reason
  }
  if (received.status === 'rejected') {
    throw received.reason
  }
  return { sender: sent.value, receiver: received.value }
}

/** "rx:CSI rx:DIS tx:TSI tx:DCS …", for assertion messages. */
export function frameSequence(report: SpandspCallReport): string {
  return report.frames.map((frame) => `${frame.dir}:${frame.name}`).join(' ')
}

/** What to print when a call did not go as expected: the report without frames, and stderr. */
export function describePeerResult(result: SpandspPeerResult): string {
  const { frames: _frames, ...rest } = result.report
  return [
    `exit ${result.exitCode} after ${result.wallMs} ms`,
    JSON.stringify(rest),
    frameSequence(result.report),
    `--- stderr (tail) ---\n${tail(result.stderr)}`,
  ].join('\n')
}

function tail(text: string): string {
  return text.length <= STDERR_TAIL_IN_ERRORS ? text : `…${text.slice(-STDERR_TAIL_IN_ERRORS)}`
}

/** SIGTERM, so the harness reports; SIGKILL if it has not ended 2 s later. */
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

interface PeerOutput {
  /** Resolves with the port from the first stdout line. */
  readonly listening: Promise<number>
  port(): number | undefined
  report(): SpandspCallReport | undefined
  stdout(): string
  stderr(): string
}

/** Reads the harness's stdout lines ({"listening":N}, then the report) and keeps stderr's tail. */
function collectOutput(child: ChildProcess): PeerOutput {
  let stdout = ''
  let stderr = ''
  let port: number | undefined
  let report: SpandspCallReport | undefined
  let resolveListening: (port: number) => void = () => undefined
  const listening = new Promise<number>((resolve) => {
    resolveListening = resolve
  })
  let pending = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    pending += chunk
    let newline = pending.indexOf('\n')
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim()
      pending = pending.slice(newline + 1)
      newline = pending.indexOf('\n')
      if (line === '') {
        continue
      }
      let parsed: { listening?: number } & Partial<SpandspCallReport>
      try {
        parsed = JSON.parse(line) as typeof parsed
      } catch {
        continue // not ours; it stays in stdout for the error message
      }
      if (typeof parsed.listening === 'number') {
        port = parsed.listening
        resolveListening(parsed.listening)
      } else if (typeof parsed.completion === 'number') {
        report = parsed as SpandspCallReport
      }
    }
    if (stdout.length > STDERR_KEEP) {
      stdout = stdout.slice(-STDERR_KEEP) // the report has been parsed; keep only a tail
    }
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    if (stderr.length > 2 * STDERR_KEEP) {
      stderr = stderr.slice(-STDERR_KEEP)
    }
  })
  return {
    listening,
    port: () => port,
    report: () => report,
    stdout: () => stdout,
    stderr: () => (stderr.length > STDERR_KEEP ? stderr.slice(-STDERR_KEEP) : stderr),
  }
}
