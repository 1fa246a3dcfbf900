/**
 * Composition root: the only module that knows every implementation. It opens the store and
 * the file store named by the configuration and hands them to the API or the CLI.
 */
import { hostname } from 'node:os'
import { join } from 'node:path'
import type pino from 'pino'
import type { FastifyInstance } from 'fastify'
import { createApp } from './api/create-app.js'
import type { Config, RenderingConfig } from './config.js'
import { A4, LETTER } from './rendering/fax-geometry.js'
import { FileStoreRenderer } from './rendering/file-store-renderer.js'
import { findProgram } from './rendering/office-conversion.js'
import type { RenderSettings } from './rendering/render-fax.js'
import { MAX_PICTURE_PIXELS, renderableKinds } from './rendering/render-fax.js'
import { FileStoreFaxDocuments } from './reports/file-store-fax-documents.js'
import { LoopbackCarrier } from './carriers/loopback-carrier.js'
import { SimulatedCarrier } from './carriers/simulated-carrier.js'
import { storeLocalNumbers } from './carriers/store-local-numbers.js'
import type { Carrier } from './domain/carrier.js'
import type { JobKind } from './domain/job-queue.js'
import { renderFaxJob } from './jobs/render-fax-job.js'
import { sendFaxJob } from './jobs/send-fax-job.js'
import { inboundFaxes } from './use-cases/receive-inbound-fax.js'
import { deliverWebhookJob } from './webhooks/deliver-webhook-job.js'
import { NodeWebhookHttpClient } from './webhooks/node-http-client.js'
import { Worker } from './jobs/worker.js'
import { systemClock } from './shared/clock.js'
import { newId32 } from './shared/ids.js'
import { FsFileStore } from './storage/files/fs-file-store.js'
import { openStore } from './storage/sql/open-store.js'
import type { Services } from './use-cases/context.js'

export async function openServices(config: Config): Promise<Services> {
  const store = await openStore({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  })
  const files = new FsFileStore(join(config.dataDir, 'files'))
  const settings = renderSettings(config.rendering)
  return {
    store,
    files,
    clock: systemClock,
    documentKinds: renderableKinds(settings.office),
    pages: new FileStoreRenderer(files, settings, {
      timeoutMs: config.rendering.timeoutMs,
      maxMemoryBytes: config.rendering.maxMemoryBytes,
    }),
    documents: new FileStoreFaxDocuments(files, { paper: config.rendering.paper }),
  }
}

/** What the renderer may use: LibreOffice only when the configured program exists. */
export function renderSettings(config: RenderingConfig): RenderSettings {
  const program = config.officeProgram === null ? undefined : findProgram(config.officeProgram)
  return {
    paper: config.paper === 'a4' ? A4 : LETTER,
    maxPages: config.maxPages,
    maxPicturePixels: MAX_PICTURE_PIXELS,
    office:
      program === undefined
        ? undefined
        : { program, timeoutMs: config.officeTimeoutMs, maxMemoryBytes: config.officeMemoryBytes },
  }
}

/**
 * The carriers, in the order they are asked: a number of this server first (loopback), then the
 * simulated test numbers; the SIP/T.38 trunk comes later.
 */
export function createCarriers(services: Services, config: Config): Carrier[] {
  const timeScale = config.simulatedTimeScale
  return [
    new LoopbackCarrier({
      numbers: storeLocalNumbers(services.store.numbers),
      inbound: inboundFaxes(services),
      clock: services.clock,
      timeScale,
    }),
    new SimulatedCarrier({ timeScale }),
  ]
}

/**
 * A worker for the jobs this process runs: rendering pages, sending them, and webhooks, each
 * kind with its own slots (FAXD_WORKER_RENDERS, _CALLS, _WEBHOOKS).
 */
export function createWorker(services: Services, config: Config, logger: pino.Logger): Worker {
  const name = `${hostname()}:${process.pid}:${newId32().slice(0, 8)}`
  const carriers = createCarriers(services, config)
  return new Worker(
    services.store.jobs,
    services.clock,
    {
      'render-fax': renderFaxJob(services),
      'send-fax': sendFaxJob({ ...services, carriers, callLimits: config.callLimits }),
      'deliver-webhook': deliverWebhookJob({
        store: services.store,
        clock: services.clock,
        http: new NodeWebhookHttpClient(),
        settings: { allowPrivateTargets: config.webhookAllowPrivate },
      }),
    },
    {
      name,
      leaseMs: WORKER_LEASE_MS,
      idleMs: WORKER_IDLE_MS,
      slots: workerSlots(config),
    },
    {
      onFailure: (job, error, retryAtMs) => {
        logger.error({ err: error, job: job.id, kind: job.kind, retryAtMs }, 'job failed')
      },
      onLeaseLost: (job) => {
        logger.warn({ job: job.id, kind: job.kind }, 'job lease lost: another worker took it over')
      },
      onQueueError: (error) => {
        logger.error({ err: error }, 'job queue unreachable; trying again')
      },
    },
  )
}

export const WORKER_LEASE_MS = 60_000
export const WORKER_IDLE_MS = 500

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
export async function startServer(config: Config): Promise<{ app: FastifyInstance; url: string }> {
  const services = await openServices(config)
  const app = await createApp({ services, logger: { level: config.logLevel } })
  const worker = config.embeddedWorker
    ? createWorker(services, config, app.log as pino.Logger)
    : null
  app.addHook('onClose', async () => {
    await worker?.stop()
    await services.store.close()
  })
  const url = await app.listen({ port: config.port, host: config.host })
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
