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
import { renderFaxJob } from './jobs/render-fax-job.js'
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

/** A worker for the jobs this process runs (today: rendering the pages of outbox entries). */
export function createWorker(services: Services, logger: pino.Logger): Worker {
  const name = `${hostname()}:${process.pid}:${newId32().slice(0, 8)}`
  return new Worker(
    services.store.jobs,
    services.clock,
    { 'render-fax': renderFaxJob(services) },
    { name, leaseMs: WORKER_LEASE_MS, idleMs: WORKER_IDLE_MS },
    {
      onFailure: (job, error, retryAtMs) => {
        logger.error({ err: error, job: job.id, kind: job.kind, retryAtMs }, 'job failed')
      },
      onLeaseLost: (job) => {
        logger.warn({ job: job.id, kind: job.kind }, 'job lease lost: another worker took it over')
      },
    },
  )
}

const WORKER_LEASE_MS = 60_000
const WORKER_IDLE_MS = 500

/**
 * Starts the API, and a worker with it unless the config turns the embedded worker off; resolves
 * once it listens. SIGINT/SIGTERM stop the worker (the job in hand finishes), then close the
 * API and the store.
 */
export async function startServer(config: Config): Promise<{ app: FastifyInstance; url: string }> {
  const services = await openServices(config)
  const app = await createApp({ services, logger: { level: config.logLevel } })
  const worker = config.embeddedWorker ? createWorker(services, app.log as pino.Logger) : null
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
