/**
 * The command line, `faxd <command>`. The client commands (login, logout, send, status, faxes
 * list, download) speak HTTP to a server and are client-commands.ts's; the operator commands,
 * which work on the store itself, are operator-commands.ts's; each is loaded only when asked for,
 * so that a command starts with only its own code. Each prints JSON on stdout; a failure
 * prints `{"error": code, "description": text}` on stderr and exits with status 1 (2 for a
 * usage error). It reads FAXD_DATA and DATABASE_URL like the server, so both see one store.
 *
 *   faxd accounts create --email E [--type individual|corporate_admin] [--admin UID]
 *               [--password P | --password-stdin]
 *   faxd accounts set-password --user UID          (the password on standard input)
 *   faxd numbers add NUMBER --owner UID [--assign UID]… [--country CODE]
 *   faxd tokens create --user UID [--scopes a,b] [--expires-in-days N]
 *   faxd accounts list | numbers list [--owner UID] | tokens list --user UID | tokens revoke ID
 *   faxd clients create --user UID --name NAME [--homepage URL] [--public] --redirect-uri URI…
 *   faxd render FILE… [--resolution fine|superfine] [--no-enhancement] [--cover-json JSON]
 *               [--logo FILE] -o OUT.tif|OUT.pdf
 *   faxd serve
 *   faxd worker
 */
import { ConfigError, readConfig } from '../config.js'
import { DomainError } from '../domain/domain-error.js'
import type { Config } from '../config.js'
import { RenderingError } from '../rendering/rendering-error.js'
import { asksForHelp, helpText, USAGE } from './help.js'
import { SecretInterrupted } from './read-secret-line.js'
import { UsageError } from './usage-error.js'

/** The commands that run a part of faxd in this process. */
export const RUNS_HERE = new Set(['serve', 'worker', 'render'])

export async function runCli(argv: string[]): Promise<number> {
  const [group, action, ...rest] = argv
  try {
    if (asksForHelp(argv)) {
      process.stdout.write(helpText(argv))
      return 0
    }
    // The client commands speak HTTP to a server: they read no server settings and open no store.
    // Neither do they share a name with the commands that run faxd here, which do not load them.
    if (!RUNS_HERE.has(group ?? '')) {
      const client = await import('./client-commands.js')
      if (client.isClientCommand(argv)) {
        return await client.runClient(argv)
      }
    }
    const config = readConfig()
    // The server, the worker and the renderer load what they need when asked for: an operator
    // command opens only the store, and starts in a fraction of the time.
    if (group === 'serve') {
      const { startServer } = await import('../main.js')
      const { url } = await startServer(config)
      console.error(
        `faxd listening on ${url} (API at ${url}/v3, data in ${config.databaseUrl ? 'PostgreSQL' : config.dataDir})`,
      )
      return -1
    }
    if (group === 'worker') {
      await runWorker(config)
      return -1
    }
    if (group === 'render') {
      const { renderCommand } = await import('./render-command.js')
      console.log(
        JSON.stringify(
          await renderCommand(
            [action, ...rest].filter((a) => a !== undefined),
            config.rendering,
            config.dataDir,
          ),
        ),
      )
      return 0
    }
    const { runOperatorCommand } = await import('./operator-commands.js')
    console.log(JSON.stringify(await runOperatorCommand(config, argv)))
    return 0
  } catch (error) {
    if (error instanceof SecretInterrupted) {
      return 130
    }
    if (error instanceof UsageError) {
      console.error(JSON.stringify({ error: 'usage', description: error.message }))
      console.error(USAGE)
      return 2
    }
    // The store's own failures: its code is loaded only now, where it was not already.
    const [{ DatabaseMissingError }, { DatabaseNewerError }] = await Promise.all([
      import('../storage/sql/open-store.js'),
      import('../storage/sql/migrate.js'),
    ])
    if (error instanceof DatabaseMissingError || error instanceof DatabaseNewerError) {
      const code = error instanceof DatabaseMissingError ? 'database_missing' : 'database_newer'
      console.error(JSON.stringify({ error: code, description: error.message }))
      return 1
    }
    if (error instanceof RenderingError) {
      console.error(JSON.stringify({ error: error.status, description: error.message }))
      return 1
    }
    if (error instanceof DomainError || error instanceof ConfigError) {
      const code = error instanceof DomainError ? error.code : 'invalid_config'
      console.error(JSON.stringify({ error: code, description: error.message }))
      return 1
    }
    console.error(JSON.stringify({ error: 'internal_error', description: String(error) }))
    return 1
  }
}

/** What a separate worker does with a SIP trunk (docs/architecture.md, "The SIP service"). */
export const SIP_WORKER_NOTICE =
  'FAXD_SIP_TRUNK is set: this worker renders pages and delivers webhooks; the calls are ' +
  'placed by faxd serve, where the SIP service runs (docs/sip-trunk.md)'

/**
 * `faxd worker`: runs jobs from the store named by the config until SIGINT or SIGTERM, then lets
 * the job in hand finish and exits. As `faxd serve`: logs go to stdout as JSON lines, and one
 * line for people on stderr says it has started.
 */
async function runWorker(config: Config): Promise<void> {
  const [
    { createLogger },
    { createWorker, openServices },
    { prepareRendering },
    { FaxdMetrics },
    { startMetricsServer },
  ] = await Promise.all([
    import('../shared/logger.js'),
    import('../main.js'),
    import('../prepare-rendering.js'),
    import('../observability/faxd-metrics.js'),
    import('../observability/metrics-server.js'),
  ])
  const logger = createLogger(config.logLevel)
  const rendering = await prepareRendering(config.rendering, config.dataDir)
  for (const notice of rendering.notices) {
    logger[notice.level](notice.message)
  }
  const services = await openServices(config, rendering)
  const metrics = new FaxdMetrics(services.store.jobs, services.clock)
  const worker = createWorker(services, config, logger, null, metrics)
  const listen = config.metrics.workerListen
  const metricsServer =
    listen === null ? null : await startMetricsServer(metrics, listen, config.metrics.token)
  if (metricsServer !== null) {
    logger.info({ url: `${metricsServer.url}/metrics` }, 'serving metrics')
  }
  if (config.sip !== null) {
    logger.info(SIP_WORKER_NOTICE)
  }
  worker.start()
  const data = config.databaseUrl ? 'PostgreSQL' : config.dataDir
  logger.info({ data }, 'faxd worker started')
  const metricsAt = metricsServer === null ? '' : `; metrics at ${metricsServer.url}/metrics`
  console.error(`faxd worker started (data in ${data}${metricsAt})`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping: finishing the job in hand')
      worker
        .stop()
        .then(async () => {
          await metricsServer?.close()
          await services.pages.close()
          await services.store.close()
        })
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'stop failed')
            process.exit(1)
          },
        )
    })
  }
}
