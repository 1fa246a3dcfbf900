/**
 * Configuration from the environment, read and checked once. The same variables serve the
 * server and the operator CLI, so both always open the same store.
 *   FAXD_DATA     folder for the embedded database and files (default ./data)
 *   DATABASE_URL  postgres://… to use PostgreSQL instead of the embedded SQLite
 *   PORT, HOST    where `faxd serve` listens (default 8080 on 127.0.0.1)
 *   FAXD_PUBLIC_URL  the address people's browsers reach faxd at (https://fax.example.com), or
 *                 several, comma-separated: the web console signs in through the sign-in page
 *                 there (default: http://127.0.0.1:PORT and http://localhost:PORT)
 *   LOG_LEVEL     pino level for the server (default info)
 *   FAXD_TRUSTED_PROXIES  addresses or CIDR ranges of reverse proxies in front of faxd, comma-
 *                 separated: a request from one of them is taken to come from the address its
 *                 X-Forwarded-For names (for sign-in throttling and logs; default none)
 *   FAXD_SOFFICE  the LibreOffice program for Office documents (default soffice, looked up on
 *                 PATH; `none` refuses Office documents even where LibreOffice is installed)
 *   FAXD_OFFICE_TIMEOUT_SECONDS  how long one Office conversion may take (default 120)
 *   FAXD_OFFICE_MEMORY_MB  address space one Office conversion may map (default 2048)
 *   FAXD_SANDBOX  bubblewrap (default): documents are converted and drawn in a bubblewrap sandbox,
 *                 and Office documents are refused where it cannot start; none: no sandbox, at
 *                 the risk docs/sandbox.md names
 *   FAXD_PAPER    letter or a4: the paper text files and cover pages are typeset on (default letter)
 *   FAXD_MAX_PAGES  pages one fax may have, cover pages included (default 250)
 *   FAXD_RENDER_TIMEOUT_SECONDS  wall time to prepare one fax's pages (default 600)
 *   FAXD_RENDER_MEMORY_MB  resident memory the render process of one fax may use (default 2048)
 *   FAXD_RENDER_THREADS  threads one render draws a PDF's pages on (default: the cores there are)
 *   FAXD_EMBEDDED_WORKER  0 to run `faxd serve` without a worker (run `faxd worker` beside it)
 *   FAXD_WORKER_CALLS, FAXD_WORKER_RENDERS, FAXD_WORKER_WEBHOOKS  how many calls, renders and
 *                 webhook deliveries one worker process runs at once (default 4, 2, 4)
 *   FAXD_JOB_LEASE_SECONDS  how long a worker's hold on a job lasts unless renewed (every third
 *                 of it): the jobs of a worker that died are taken over this long after its
 *                 last renewal (default 60)
 *   FAXD_CALLS_PER_DESTINATION  calls in progress to one number, over all workers (default 1)
 *   FAXD_CALLS_PER_SENDING_NUMBER  calls in progress from one of the account's numbers, over all
 *                 workers (default 4)
 *   FAXD_WEBHOOK_ALLOW_PRIVATE  1 to let webhooks reach loopback, private and this server's own addresses
 *                 (refused by default, docs/webhooks.md)
 *   FAXD_SIMULATED_TIME_SCALE  how fast the simulated test numbers' calls pass: 1 realistic
 *                 (default), 0 instant, 0.1 ten times faster (docs/test-numbers.md)
 *   FAXD_SIP_…, FAXD_T38_…, FAXD_FAX_…  the SIP trunk, when there is one: see readSipConfig below
 *                 and docs/sip-trunk.md
 *   FAXD_METRICS_TOKEN  when set, /metrics answers only `Authorization: Bearer <it>` (at least
 *                 16 characters; default: /metrics open to whoever reaches the port)
 *   FAXD_METRICS_LISTEN  host[:port] where `faxd worker` serves its own /metrics (default port 9464;
 *                 0 takes a free one, which the worker's start-up line names; default: none;
 *                 `faxd serve` serves it on its API port) (docs/operating.md)
 *   FAXD_FILE_STORE  where documents and pages are kept: fs (default, FAXD_DATA/files), s3 (an
 *                 S3-compatible bucket every node shares) or postgres (the database of
 *                 DATABASE_URL): see readFileStoreConfig below and docs/scaling.md
 */
import { availableParallelism } from 'node:os'
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import type { SipTrunkSettings } from './carriers/sip/sip-trunk-settings.js'
import type { S3FileStoreSettings } from './storage/files/s3-file-store.js'

/** A worker's hold on a job, unless FAXD_JOB_LEASE_SECONDS says otherwise. */
export const DEFAULT_JOB_LEASE_MS = 60_000

export interface Config {
  readonly dataDir: string
  readonly databaseUrl: string | null
  readonly port: number
  readonly host: string
  /** FAXD_PUBLIC_URL: origins (no path) the console is reached at; empty: the loopback ones. */
  readonly publicUrls: readonly string[]
  readonly logLevel: string
  /** Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges). */
  readonly trustedProxies: readonly string[]
  /** `faxd serve` runs a worker in the same process (the embedded default). */
  readonly embeddedWorker: boolean
  readonly simulatedTimeScale: number
  readonly webhookAllowPrivate: boolean
  readonly metrics: MetricsConfig
  readonly rendering: RenderingConfig
  /** Jobs of each kind one worker process runs at once. */
  readonly workerSlots: {
    readonly calls: number
    readonly renders: number
    readonly webhooks: number
  }
  /** How long a worker's hold on a job lasts unless renewed (JobQueue leases). */
  readonly jobLeaseMs: number
  /** Calls in progress at once, counted over every worker sharing the store. */
  readonly callLimits: { readonly perDestination: number; readonly perSendingNumber: number }
  /** The SIP trunk; null when FAXD_SIP_TRUNK is not set (no SIP at all). */
  readonly sip: SipConfig | null
  readonly fileStore: FileStoreConfig
}

/** Documents and pages in FAXD_DATA/files, in the PostgreSQL database, or in an S3 bucket. */
export type FileStoreConfig =
  | { readonly kind: 'fs' }
  | { readonly kind: 'postgres' }
  | { readonly kind: 's3'; readonly s3: S3FileStoreSettings }

/** A `host:port` pair. */
export interface HostPort {
  readonly host: string
  readonly port: number
}

/** The SIP trunk's settings, as the carriers take them (src/carriers/sip/sip-trunk-settings.ts). */
export type SipConfig = SipTrunkSettings

export interface RenderingConfig {
  /** How documents are confined while they are converted and drawn (docs/sandbox.md). */
  readonly sandbox: 'bubblewrap' | 'none'
  /** As configured; null when Office documents are turned off. */
  readonly officeProgram: string | null
  readonly officeTimeoutMs: number
  readonly officeMemoryBytes: number
  readonly paper: 'letter' | 'a4'
  readonly maxPages: number
  readonly timeoutMs: number
  readonly maxMemoryBytes: number
  /** Threads one render draws a PDF's pages on. */
  readonly threads: number
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export interface MetricsConfig {
  /** The bearer token /metrics asks for; null: none asked for. */
  readonly token: string | null
  /** Where `faxd worker` serves /metrics; null: it does not. */
  readonly workerListen: { readonly host: string; readonly port: number } | null
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env['PORT'] ?? '8080')
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number, not ${JSON.stringify(env['PORT'])}`)
  }
  const databaseUrl = env['DATABASE_URL'] || null
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      'DATABASE_URL must start with postgres:// (leave it unset for the embedded SQLite)',
    )
  }
  const logLevel = env['LOG_LEVEL'] ?? 'info'
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)
  }
  const trustedProxies = (env['FAXD_TRUSTED_PROXIES'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  for (const entry of trustedProxies) {
    if (!isAddressOrRange(entry)) {
      throw new ConfigError(
        `FAXD_TRUSTED_PROXIES must list IP addresses or CIDR ranges, not ${JSON.stringify(entry)}`,
      )
    }
  }
  const officeTimeout = wholeNumber(env, 'FAXD_OFFICE_TIMEOUT_SECONDS', 120, 1, 3600)
  const officeMemoryMb = wholeNumber(env, 'FAXD_OFFICE_MEMORY_MB', 2048, 512, 65_536)
  const maxPages = wholeNumber(env, 'FAXD_MAX_PAGES', 250, 1, 10_000)
  const renderTimeout = wholeNumber(env, 'FAXD_RENDER_TIMEOUT_SECONDS', 600, 1, 86_400)
  const renderMemoryMb = wholeNumber(env, 'FAXD_RENDER_MEMORY_MB', 2048, 256, 65_536)
  const renderThreads = wholeNumber(env, 'FAXD_RENDER_THREADS', availableParallelism(), 1, 64)
  const paper = env['FAXD_PAPER'] || 'letter'
  if (paper !== 'letter' && paper !== 'a4') {
    throw new ConfigError(`FAXD_PAPER must be letter or a4, not ${JSON.stringify(paper)}`)
  }
  const officeProgram = env['FAXD_SOFFICE'] || 'soffice'
  const sandbox = env['FAXD_SANDBOX'] || 'bubblewrap'
  if (sandbox !== 'bubblewrap' && sandbox !== 'none') {
    throw new ConfigError(`FAXD_SANDBOX must be bubblewrap or none, not ${JSON.stringify(sandbox)}`)
  }
  const embedded = env['FAXD_EMBEDDED_WORKER'] ?? '1'
  if (embedded !== '0' && embedded !== '1') {
    throw new ConfigError(`FAXD_EMBEDDED_WORKER must be 0 or 1, not ${JSON.stringify(embedded)}`)
  }
  const scaleText = env['FAXD_SIMULATED_TIME_SCALE'] ?? '1'
  const simulatedTimeScale = Number(scaleText)
  if (scaleText.trim() === '' || !Number.isFinite(simulatedTimeScale) || simulatedTimeScale < 0) {
    throw new ConfigError(
      `FAXD_SIMULATED_TIME_SCALE must be a number ≥ 0, not ${JSON.stringify(scaleText)}`,
    )
  }
  const allowPrivate = env['FAXD_WEBHOOK_ALLOW_PRIVATE'] ?? '0'
  if (allowPrivate !== '0' && allowPrivate !== '1') {
    throw new ConfigError(
      `FAXD_WEBHOOK_ALLOW_PRIVATE must be 0 or 1, not ${JSON.stringify(allowPrivate)}`,
    )
  }
  return {
    workerSlots: {
      calls: wholeNumber(env, 'FAXD_WORKER_CALLS', 4, 1, 1000),
      renders: wholeNumber(env, 'FAXD_WORKER_RENDERS', 2, 1, 64),
      webhooks: wholeNumber(env, 'FAXD_WORKER_WEBHOOKS', 4, 1, 1000),
    },
    jobLeaseMs:
      wholeNumber(env, 'FAXD_JOB_LEASE_SECONDS', DEFAULT_JOB_LEASE_MS / 1000, 3, 3600) * 1000,
    callLimits: {
      perDestination: wholeNumber(env, 'FAXD_CALLS_PER_DESTINATION', 1, 1, 1000),
      perSendingNumber: wholeNumber(env, 'FAXD_CALLS_PER_SENDING_NUMBER', 4, 1, 1000),
    },
    sip: readSipConfig(env),
    fileStore: readFileStoreConfig(env),
    webhookAllowPrivate: allowPrivate === '1',
    metrics: readMetricsConfig(env),
    embeddedWorker: embedded === '1',
    simulatedTimeScale,
    rendering: {
      sandbox,
      officeProgram: officeProgram === 'none' ? null : officeProgram,
      officeTimeoutMs: officeTimeout * 1000,
      officeMemoryBytes: officeMemoryMb * 1024 * 1024,
      paper,
      maxPages,
      timeoutMs: renderTimeout * 1000,
      maxMemoryBytes: renderMemoryMb * 1024 * 1024,
      threads: renderThreads,
    },
    dataDir: resolve(env['FAXD_DATA'] || './data'),
    databaseUrl,
    port,
    host: env['HOST'] || '127.0.0.1',
    publicUrls: readPublicUrls(env['FAXD_PUBLIC_URL'] ?? ''),
    logLevel,
    trustedProxies,
  }
}

function readMetricsConfig(env: NodeJS.ProcessEnv): MetricsConfig {
  const token = env['FAXD_METRICS_TOKEN'] || null
  // What a Bearer header can carry (RFC 6750 b64token), so that a scrape can send it.
  if (token !== null && !/^[A-Za-z0-9._~+/=-]{16,}$/.test(token)) {
    throw new ConfigError(
      'FAXD_METRICS_TOKEN must be at least 16 letters, digits or . _ ~ + / = - (e.g. `openssl rand -hex 16`)',
    )
  }
  const listen = env['FAXD_METRICS_LISTEN'] || null
  if (listen === null) {
    return { token, workerListen: null }
  }
  // 9464: where OpenTelemetry's Prometheus exporters listen by default.
  return { token, workerListen: hostPort('FAXD_METRICS_LISTEN', listen, 9464, true) }
}

function isAddressOrRange(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/')
  const kind = isIP(address)
  if (kind === 0 || rest.length > 0) {
    return false
  }
  if (prefix === undefined) {
    return true
  }
  const bits = Number(prefix)
  return /^\d{1,3}$/.test(prefix) && bits <= (kind === 4 ? 32 : 128)
}

/** The SIP trunk's settings (docs/sip-trunk.md); null when FAXD_SIP_TRUNK is not set. */
export function readSipConfig(env: NodeJS.ProcessEnv): SipConfig | null {
  const trunkText = env['FAXD_SIP_TRUNK'] ?? ''
  if (trunkText === '') {
    return null
  }
  const trunk = hostPort('FAXD_SIP_TRUNK', trunkText, 5060)
  const user = env['FAXD_SIP_USER'] ?? ''
  const password = env['FAXD_SIP_PASSWORD'] ?? ''
  if (user === '' && password !== '') {
    throw new ConfigError('FAXD_SIP_PASSWORD is set but FAXD_SIP_USER is not')
  }
  const listen = hostPort('FAXD_SIP_LISTEN', env['FAXD_SIP_LISTEN'] || '0.0.0.0:5060', 5060, true)
  const portsText = env['FAXD_SIP_MEDIA_PORTS'] || '40000-40999'
  const ports = /^(\d{1,5})-(\d{1,5})$/.exec(portsText)
  const first = Number(ports?.[1])
  const last = Number(ports?.[2])
  if (ports === null || first < 1024 || last > 65535 || first > last) {
    throw new ConfigError(
      `FAXD_SIP_MEDIA_PORTS must be first-last, ports 1024–65535, not ${JSON.stringify(portsText)}`,
    )
  }
  const callerId = env['FAXD_SIP_CALLER_ID'] || 'sender'
  if (callerId !== 'sender' && !/^\+[1-9]\d{5,14}$/.test(callerId)) {
    throw new ConfigError(
      `FAXD_SIP_CALLER_ID must be sender or an E.164 number (+…), not ${JSON.stringify(callerId)}`,
    )
  }
  const stationId = env['FAXD_FAX_TSI'] ?? ''
  if (stationId.length > 20 || !/^[ -~]*$/.test(stationId)) {
    throw new ConfigError('FAXD_FAX_TSI must be at most 20 printable ASCII characters')
  }
  const numberHeader = env['FAXD_SIP_NUMBER_HEADER'] || 'To'
  if (!/^[A-Za-z0-9-]+$/.test(numberHeader)) {
    throw new ConfigError(
      `FAXD_SIP_NUMBER_HEADER must be a header name, not ${JSON.stringify(numberHeader)}`,
    )
  }
  return {
    trunk,
    credentials: user === '' ? null : { username: user, password },
    domain: env['FAXD_SIP_DOMAIN'] || trunk.host,
    listen,
    publicAddress: env['FAXD_SIP_PUBLIC_ADDRESS'] || null,
    mediaPorts: { first, last },
    channels: wholeNumber(env, 'FAXD_SIP_CHANNELS', 10, 1, 10_000),
    ringSeconds: wholeNumber(env, 'FAXD_SIP_RING_SECONDS', 60, 2, 600),
    register: onOff(env, 'FAXD_SIP_REGISTER', false),
    registerSeconds: wholeNumber(env, 'FAXD_SIP_REGISTER_SECONDS', 3600, 60, 86_400),
    callerId,
    numberHeader,
    stationId: stationId === '' ? null : stationId,
    t38Version: wholeNumber(env, 'FAXD_T38_VERSION', 0, 0, 3) as 0 | 1 | 2 | 3,
    t38MaxRate: oneOf(env, 'FAXD_T38_MAX_RATE', 14_400, [2400, 4800, 7200, 9600, 12_000, 14_400]),
    t38InInvite: onOff(env, 'FAXD_SIP_T38_IN_INVITE', false),
    ecm: onOff(env, 'FAXD_FAX_ECM', true),
  }
}

/** `host[:port]`; port 0 (any free port) only where `anyPort` allows it (a listen address). */
function hostPort(name: string, text: string, defaultPort: number, anyPort = false): HostPort {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text)
  const port = match?.[2] === undefined ? defaultPort : Number(match[2])
  if (match === null || port < (anyPort ? 0 : 1) || port > 65535) {
    throw new ConfigError(`${name} must be host[:port], not ${JSON.stringify(text)}`)
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port }
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name] ?? ''
  if (text === '') {
    return fallback
  }
  if (text !== 'on' && text !== 'off') {
    throw new ConfigError(`${name} must be on or off, not ${JSON.stringify(text)}`)
  }
  return text === 'on'
}

function oneOf(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  values: readonly number[],
): number {
  const text = env[name] ?? ''
  if (text === '') {
    return fallback
  }
  const value = Number(text)
  if (!values.includes(value)) {
    throw new ConfigError(
      `${name} must be one of ${values.join(', ')}, not ${JSON.stringify(text)}`,
    )
  }
  return value
}

/**
 * The file store (docs/scaling.md):
 *   FAXD_FILE_STORE  fs (default), s3, or postgres (in the PostgreSQL of DATABASE_URL)
 *   FAXD_S3_BUCKET   the bucket (required with s3)
 *   FAXD_S3_PREFIX   folder-like prefix of every key in it, e.g. faxd/ (default none)
 *   FAXD_S3_REGION   default AWS_REGION, else us-east-1
 *   FAXD_S3_ENDPOINT an S3-compatible server's http(s) URL (default AWS itself)
 *   FAXD_S3_FORCE_PATH_STYLE  1 for http://host/bucket/key addressing (most S3-compatible
 *                    servers; default 0)
 *   FAXD_S3_SERVER_SIDE_ENCRYPTION  AES256 or aws:kms, asked of S3 for every object (default
 *                    none: the bucket's own default applies)
 * Credentials come from the AWS SDK's usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
 * a profile, an instance role).
 */
export function readFileStoreConfig(env: NodeJS.ProcessEnv): FileStoreConfig {
  const kind = env['FAXD_FILE_STORE'] || 'fs'
  if (kind === 'fs') {
    return { kind }
  }
  if (kind === 'postgres') {
    if (!/^postgres(ql)?:\/\//.test(env['DATABASE_URL'] ?? '')) {
      throw new ConfigError('FAXD_FILE_STORE=postgres needs DATABASE_URL=postgres://…')
    }
    return { kind }
  }
  if (kind !== 's3') {
    throw new ConfigError(`FAXD_FILE_STORE must be fs, s3 or postgres, not ${JSON.stringify(kind)}`)
  }
  const bucket = env['FAXD_S3_BUCKET'] ?? ''
  // S3's bucket naming rules: 3–63 lower-case letters, digits, dots and hyphens.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError(
      `FAXD_FILE_STORE=s3 needs FAXD_S3_BUCKET, a bucket name (3–63 of a-z 0-9 . -), not ${JSON.stringify(bucket)}`,
    )
  }
  const prefixText = env['FAXD_S3_PREFIX'] ?? ''
  const prefix = prefixText === '' || prefixText.endsWith('/') ? prefixText : `${prefixText}/`
  const segments = prefix.split('/').slice(0, -1)
  if (
    prefix !== '' &&
    (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/.test(prefix) ||
      segments.some((segment) => segment === '.' || segment === '..'))
  ) {
    throw new ConfigError(
      `FAXD_S3_PREFIX must be segments of A-Z a-z 0-9 . _ - joined by /, not ${JSON.stringify(prefixText)}`,
    )
  }
  const endpoint = env['FAXD_S3_ENDPOINT'] || null
  if (endpoint !== null && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new ConfigError(
      `FAXD_S3_ENDPOINT must be an http:// or https:// URL, not ${JSON.stringify(endpoint)}`,
    )
  }
  const pathStyle = env['FAXD_S3_FORCE_PATH_STYLE'] || '0'
  if (pathStyle !== '0' && pathStyle !== '1') {
    throw new ConfigError(
      `FAXD_S3_FORCE_PATH_STYLE must be 0 or 1, not ${JSON.stringify(pathStyle)}`,
    )
  }
  const encryption = env['FAXD_S3_SERVER_SIDE_ENCRYPTION'] || null
  if (encryption !== null && encryption !== 'AES256' && encryption !== 'aws:kms') {
    throw new ConfigError(
      `FAXD_S3_SERVER_SIDE_ENCRYPTION must be AES256 or aws:kms, not ${JSON.stringify(encryption)}`,
    )
  }
  return {
    kind,
    s3: {
      bucket,
      prefix,
      region: env['FAXD_S3_REGION'] || env['AWS_REGION'] || 'us-east-1',
      endpoint,
      forcePathStyle: pathStyle === '1',
      serverSideEncryption: encryption,
    },
  }
}

function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name]
  if (text === undefined || text === '') {
    return fallback
  }
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`,
    )
  }
  return value
}

/**
 * FAXD_PUBLIC_URL: http or https origins, comma-separated. A path is refused rather than
 * dropped: the console is served at the root, and a proxy that serves faxd under a path would
 * break it in ways a sign-in error would not explain.
 */
function readPublicUrls(text: string): string[] {
  const origins: string[] = []
  for (const entry of text.split(',').map((part) => part.trim())) {
    if (entry === '') {
      continue
    }
    let url: URL | null = null
    try {
      url = new URL(entry)
    } catch {
      // Said below.
    }
    if (
      url === null ||
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.pathname !== '/' ||
      url.search !== '' ||
      url.hash !== '' ||
      url.username !== '' ||
      url.password !== ''
    ) {
      throw new ConfigError(
        `FAXD_PUBLIC_URL must list http or https addresses without a path, such as ` +
          `https://fax.example.com, not ${JSON.stringify(entry)}`,
      )
    }
    origins.push(url.origin)
  }
  return origins
}
