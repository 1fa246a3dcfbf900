/**
 * Composition root: the only module that knows every implementation. It opens the store and
 * the file store named by the configuration and hands them to the API or the CLI.
 */
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { createApp } from './api/create-app.js'
import type { Config, RenderingConfig } from './config.js'
import { A4, LETTER } from './rendering/fax-geometry.js'
import { findProgram } from './rendering/office-conversion.js'
import type { RenderSettings } from './rendering/render-fax.js'
import { MAX_PICTURE_PIXELS, renderableKinds } from './rendering/render-fax.js'
import { systemClock } from './shared/clock.js'
import { FsFileStore } from './storage/files/fs-file-store.js'
import { openStore } from './storage/sql/open-store.js'
import type { Services } from './use-cases/context.js'

export async function openServices(config: Config): Promise<Services> {
  const store = await openStore({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  })
  return {
    store,
    files: new FsFileStore(join(config.dataDir, 'files')),
    clock: systemClock,
    documentKinds: renderableKinds(renderSettings(config.rendering).office),
  }
}

/** What the renderer may use: LibreOffice only when the configured program exists. */
export function renderSettings(config: RenderingConfig): RenderSettings {
  const program = config.officeProgram === null ? undefined : findProgram(config.officeProgram)
  return {
    paper: config.paper === 'a4' ? A4 : LETTER,
    maxPages: config.maxPages,
    maxPicturePixels: MAX_PICTURE_PIXELS,
    office: program === undefined ? undefined : { program, timeoutMs: config.officeTimeoutMs },
  }
}

/** Starts the API; resolves once it listens. SIGINT/SIGTERM close it and the store. */
export async function startServer(config: Config): Promise<{ app: FastifyInstance; url: string }> {
  const services = await openServices(config)
  const app = await createApp({ services, logger: { level: config.logLevel } })
  app.addHook('onClose', async () => services.store.close())
  const url = await app.listen({ port: config.port, host: config.host })
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
