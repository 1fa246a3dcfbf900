/**
 * Composition root: the only module that knows every implementation. It opens the store and
 * the file store named by the configuration and hands them to the API or the CLI.
 */
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { fileURLToPath } from 'node:url'
import { createApp } from './api/create-app.js'
import { loadConsole } from './api/routes/console.js'
import { ConfigError, type Config, type SipConfig } from './config.js'
import { FileStoreRenderer } from './rendering/file-store-renderer.js'
import { RenderProcessPool } from './rendering/render-process-pool.js'
import { renderableKinds } from './rendering/render-settings.js'
import { FileStoreFaxDocuments } from './reports/file-store-fax-documents.js'
import { LoopbackCarrier } from './carriers/loopback-carrier.js'
import { SimulatedCarrier } from './carriers/simulated-carrier.js'
import { inboundSipCalls } from './carriers/sip/inbound-sip-calls.js'
import { SipT38Carrier } from './carriers/sip/sip-t38-carrier.js'
import { SipTrunk } from './carriers/sip/sip-trunk.js'
import { storeLocalNumbers } from './carriers/store-local-numbers.js'
import type { Carrier } from './domain/carrier.js'
import type { FileStore } from './domain/ports.js'
import type { JobKind } from './domain/job-queue.js'
import { renderFaxJob } from './jobs/render-fax-job.js'
import { sendFaxJob } from './jobs/send-fax-job.js'
import { inboundFaxes } from './use-cases/receive-inbound-fax.js'
import { registerConsoleClient } from './use-cases/register-console-client.js'
import { deliverWebhookJob } from './webhooks/deliver-webhook-job.js'
import { NodeWebhookHttpClient } from './webhooks/node-http-client.js'
import { webhookTargetPolicy } from './webhooks/target-guard.js'
import { Worker } from './jobs/worker.js'
import { FaxdMetrics } from './observability/faxd-metrics.js'
import { workerReports } from './worker-reports.js'
import { systemClock } from './shared/clock.js'
import { hasErrorCode } from './shared/error-code.js'
import { createLogger, type Logger } from './shared/logger.js'
import { newId32 } from './shared/ids.js'
import { FsFileStore } from './storage/files/fs-file-store.js'
import { openStoreWithDatabase } from './storage/sql/open-store.js'
import type { Database } from './storage/sql/schema.js'
import { SqlFileStore } from './storage/sql/sql-file-store.js'
import { PasswordHashing } from './shared/secrets.js'
import type { Services } from './use-cases/context.js'
import { prepareRendering, type RenderingSetup } from './prepare-rendering.js'

/**
 * Opens the store and files named by the config. `rendering` is what prepareRendering found;
 * a command that renders nothing may leave it out.
 */
export async function openServices(config: Config, rendering?: RenderingSetup): Promise<Services> {
  const { settings, isolation } =
    rendering ?? (await prepareRendering(config.rendering, config.dataDir))
  const { store, db } = await openStoreWithDatabase({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  })
  const files = await openFileStore(config, db)
  const renderProcesses = new RenderProcessPool(isolation)
  return {
    store,
    files,
    clock: systemClock,
    documentKinds: renderableKinds(settings.office),
    pages: new FileStoreRenderer(
      files,
      settings,
      async (job, onProgress, signal) => renderProcesses.render(job, onProgress, signal),
      async () => renderProcesses.close(),
    ),
    documents: new FileStoreFaxDocuments(files, { paper: config.rendering.paper }),
    passwords: new PasswordHashing(),
    webhookTargets: webhookTargetPolicy(config.webhookAllowPrivate),
  }
}

/** The file store the config names; the database one shares the store's connections. */
async function openFileStore(config: Config, db: Kysely<Database>): Promise<FileStore> {
  switch (config.fileStore.kind) {
    case 'fs':
      return new FsFileStore(join(config.dataDir, 'files'))
    case 'postgres':
      return new SqlFileStore(db, systemClock)
    case 's3': {
      // The AWS SDK is loaded only where it is used.
      const { S3FileStore } = await import('./storage/files/s3-file-store.js')
      return new S3FileStore(config.fileStore.s3)
    }
  }
}

/**
 * The carriers, in the order they are asked: a number of this server first (loopback), then the
 * simulated test numbers (which time each page by its size in the document); the SIP/T.38 trunk
 * comes later.
 */
export function createCarriers(
  services: Services,
  config: Config,
  sip: SipTrunk | null = null,
): Carrier[] {
  const timeScale = config.simulatedTimeScale
  return [
    new LoopbackCarrier({
      numbers: storeLocalNumbers(services.store.numbers),
      inbound: inboundFaxes(services),
      files: services.files,
      clock: services.clock,
      timeScale,
    }),
    new SimulatedCarrier({ timeScale, files: services.files }),
    ...(sip === null ? [] : [new SipT38Carrier({ trunk: sip, files: services.files })]),
  ]
}

/**
 * A worker for the jobs this process runs: rendering pages, sending them, and webhooks, each
 * kind with its own slots (FAXD_WORKER_RENDERS, _CALLS, _WEBHOOKS).
 */
export function createWorker(
  services: Services,
  config: Config,
  logger: Logger,
  sip: SipTrunk | null = null,
  metrics?: FaxdMetrics,
): Worker {
  const name = `${hostname()}:${process.pid}:${newId32().slice(0, 8)}`
  const carriers = createCarriers(services, config, sip)
  // With a SIP trunk, calls are placed where the SIP service runs (faxd serve): a worker
  // without it renders and delivers webhooks, and leaves send-fax jobs to that one.
  const placesCalls = config.sip === null || sip !== null
  const reports = workerReports(logger, metrics)
  return new Worker(
    services.store.jobs,
    services.clock,
    {
      'render-fax': renderFaxJob(services, reports.render),
      ...(placesCalls
        ? {
            'send-fax': sendFaxJob(
              { ...services, carriers, callLimits: config.callLimits },
              reports.send,
            ),
          }
        : {}),
      'deliver-webhook': deliverWebhookJob({
        store: services.store,
        clock: services.clock,
        http: new NodeWebhookHttpClient(),
        settings: { allowPrivateTargets: config.webhookAllowPrivate },
        onAttempt: reports.webhook,
      }),
    },
    {
      name,
      leaseMs: config.jobLeaseMs,
      idleMs: WORKER_IDLE_MS,
      slots: workerSlots(config),
    },
    {
      onFailure: (job, error, retryAtMs) => {
        logger.error({ err: error, job: job.id, kind: job.kind, retryAtMs }, 'job failed')
      },
      onLeaseLost: (job, error) => {
        logger.warn(
          { ...(error === undefined ? {} : { err: error }), job: job.id, kind: job.kind },
          'job lease lost: another worker took it over',
        )
      },
      onUnrecordedFailure: (job, error, queueError) => {
        logger.error(
          {
            err: error,
            queueError: queueError instanceof Error ? queueError.message : String(queueError),
            job: job.id,
            kind: job.kind,
          },
          'job failed, and giving it back failed too: it runs again when its lease runs out',
        )
      },
      onStoreUnavailable: (job, error, tries) => {
        logger.warn(
          { reason: error.reason, error: error.message, job: job.id, kind: job.kind, tries },
          'the database cannot record the end of this job now; holding the job and trying again',
        )
      },
      onQueueError: (error) => {
        logger.error({ err: error }, 'job queue unreachable; trying again')
      },
    },
  )
}

export const WORKER_IDLE_MS = 500

/**
 * The SIP service (docs/architecture.md, "The SIP service"): the trunk's socket and
 * registration, the channel count, and inbound calls to the numbers of this server, filed in
 * their owners' inboxes.
 */
export async function startSipService(
  services: Services,
  sip: SipConfig,
  logger: Logger,
): Promise<SipTrunk> {
  const trunk = await SipTrunk.start(sip, (level, message, fields) =>
    logger[level](fields ?? {}, message),
  )
  trunk.onIncomingCall(
    inboundSipCalls({
      trunk,
      numbers: storeLocalNumbers(services.store.numbers),
      inbound: inboundFaxes(services),
      files: services.files,
      clock: services.clock,
      log: (level, message, fields) => logger[level](fields ?? {}, message),
    }),
  )
  return trunk
}

/** How many jobs of each kind one worker process runs at once, as configured. */
export function workerSlots(config: Config): Partial<Record<JobKind, number>> {
  return {
    'render-fax': config.workerSlots.renders,
    'send-fax': config.workerSlots.calls,
    'deliver-webhook': config.workerSlots.webhooks,
  }
}

/**
 * Starts the API, and a worker with it unless the config turns the embedded worker off; resolves
 * once it listens. SIGINT/SIGTERM stop the worker (the job in hand finishes), then close the
 * API and the store.
 */
/**
 * Where `npm run build` puts the web console: dist/console under the project's root, which is
 * the folder above this file whether it runs from src/ (tsx) or dist/ (the build).
 */
const CONSOLE_DIRECTORY = fileURLToPath(new URL('../dist/console', import.meta.url))

export async function startServer(config: Config): Promise<{ app: FastifyInstance; url: string }> {
  if (config.sip !== null && !config.embeddedWorker) {
    throw new ConfigError(
      'FAXD_SIP_TRUNK is set with FAXD_EMBEDDED_WORKER=0: SIP calls are placed by the worker ' +
        'embedded in faxd serve, which runs the SIP service (docs/sip-trunk.md)',
    )
  }
  // Before anything is opened or logged: a port that is taken is the operator's to change.
  await ensurePortFree(config.host, config.port)
  const rendering = await prepareRendering(config.rendering, config.dataDir)
  const services = await openServices(config, rendering)
  const logger = createLogger(config.logLevel)
  const metrics = new FaxdMetrics(services.store.jobs, services.clock)
  const app = await createApp({
    services,
    logger,
    consoleFiles: await loadConsole(CONSOLE_DIRECTORY),
    trustedProxies: config.trustedProxies,
    operator: {
      metrics,
      ...(config.metrics.token === null ? {} : { metricsToken: config.metrics.token }),
    },
  })
  for (const notice of rendering.notices) {
    app.log[notice.level](notice.message)
  }
  const sip = config.sip === null ? null : await startSipService(services, config.sip, logger)
  const worker = config.embeddedWorker ? createWorker(services, config, logger, sip, metrics) : null
  app.addHook('onClose', async () => {
    await worker?.stop()
    await sip?.stop()
    await services.pages.close()
    await services.store.close()
  })
  const url = await app.listen({ port: config.port, host: config.host }).catch((error: unknown) => {
    // Taken between the check above and now.
    throw hasErrorCode(error, 'EADDRINUSE')
      ? new ConfigError(portTaken(config.host, config.port))
      : error
  })
  const origins = consoleOrigins(config, (app.server.address() as AddressInfo).port)
  await registerConsoleClient(services, origins.urls)
  if (origins.notice !== null) {
    app.log.warn(origins.notice)
  }
  worker?.start()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down')
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed')
          process.exit(1)
        },
      )
    })
  }
  return { app, url }
}

/**
 * Where the web console signs in through the sign-in page: FAXD_PUBLIC_URL, or this server's
 * loopback addresses. Listening on every interface without FAXD_PUBLIC_URL, the console reached
 * by another name can still take a token; the operator is told how to change that.
 */
function consoleOrigins(
  config: Config,
  port: number,
): { urls: readonly string[]; notice: string | null } {
  if (config.publicUrls.length > 0) {
    return { urls: config.publicUrls, notice: null }
  }
  const loopback = config.host === '::1' ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`
  const urls = [loopback, `http://localhost:${port}`]
  const onLoopback = ['127.0.0.1', '::1', 'localhost'].includes(config.host)
  return {
    urls,
    notice: onLoopback
      ? null
      : `the web console signs in through the sign-in page only at ${urls.join(' and ')}: ` +
        'set FAXD_PUBLIC_URL to the address people reach faxd at (docs/operating.md)',
  }
}

/** Throws a ConfigError naming the port when another process listens on it (port 0: never). */
async function ensurePortFree(host: string, port: number): Promise<void> {
  if (port === 0) {
    return
  }
  const probe = createNetServer()
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen(port, host, () => resolve())
    })
  } catch (error) {
    if (hasErrorCode(error, 'EADDRINUSE')) {
      throw new ConfigError(portTaken(host, port))
    }
    if (hasErrorCode(error, 'EACCES')) {
      throw new ConfigError(
        `PORT ${port} on HOST ${host} may only be opened with privileges this process lacks: ` +
          'choose a port above 1023, e.g. PORT=8080, with a reverse proxy in front for 80 or 443',
      )
    }
    throw error
  } finally {
    await new Promise<void>((resolve) => probe.close(() => resolve()))
  }
}

function portTaken(host: string, port: number): string {
  return (
    `PORT ${port} on HOST ${host} is taken by another process (another faxd?): stop it, or ` +
    `start faxd on another port, e.g. PORT=${port < 65535 ? port + 1 : 8080}`
  )
}
