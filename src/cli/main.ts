/**
 * The command line, `faxd <command>`. The client commands (login, logout, send, status, faxes
 * list, download) speak HTTP to a server and are client-commands.ts's; what follows is about the
 * operator commands, which work on the store itself. Each prints JSON on stdout; a failure
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
import { systemClock } from '../shared/clock.js'
import { PasswordHashing } from '../shared/secrets.js'
import { DatabaseNewerError } from '../storage/sql/migrate.js'
import { DatabaseMissingError, openStore } from '../storage/sql/open-store.js'
import type { OperatorServices } from '../use-cases/context.js'
import { toAccountJson } from '../api/wire/account-json.js'
import { toNumberJson } from '../api/wire/number-json.js'
import { addNumber } from '../use-cases/add-number.js'
import { createAccount } from '../use-cases/create-account.js'
import { createOAuthClient } from '../use-cases/create-oauth-client.js'
import { createPersonalToken } from '../use-cases/create-personal-token.js'
import { setPassword } from '../use-cases/set-password.js'
import {
  listAccounts,
  listServerNumbers,
  listTokens,
  revokeToken,
} from '../use-cases/operator-listings.js'
import type { AccessToken } from '../domain/credentials.js'
import { RenderingError } from '../rendering/rendering-error.js'
import { multipleValues, optionalValue, parse, requireValue } from './arguments.js'
import { asksForHelp, helpText, USAGE } from './help.js'
import { readSecretLine, SecretInterrupted } from './read-secret-line.js'
import { UsageError } from './usage-error.js'

type Command = (services: OperatorServices, args: string[]) => Promise<unknown>

const COMMANDS: Readonly<Record<string, Command>> = {
  'accounts create': async (services, args) => {
    const { values } = parse(args, {
      email: 'string',
      type: 'string',
      admin: 'string',
      password: 'string',
      'password-stdin': 'flag',
    })
    const type = optionalValue(values, 'type')
    if (
      type !== null &&
      type !== 'individual' &&
      type !== 'corporate_admin' &&
      type !== 'corporate_member'
    ) {
      throw new UsageError('--type must be individual or corporate_admin')
    }
    if (values['password-stdin'] === true && values['password'] !== undefined) {
      throw new UsageError('give --password or --password-stdin, not both')
    }
    const account = await createAccount(services, {
      email: requireValue(values, 'email'),
      type,
      adminUid: optionalValue(values, 'admin'),
      password:
        values['password-stdin'] === true
          ? await readPassword()
          : optionalValue(values, 'password'),
    })
    return toAccountJson(account)
  },
  'accounts set-password': async (services, args) => {
    const { values } = parse(args, { user: 'string' })
    const uid = requireValue(values, 'user')
    await setPassword(services, { uid, password: await readPassword() })
    return { uid, password_set: true }
  },
  'numbers add': async (services, args) => {
    const { values, positionals } = parse(
      args,
      { owner: 'string', assign: 'multiple', country: 'string' },
      true,
    )
    const [number, ...extra] = positionals
    if (number === undefined || extra.length > 0) {
      throw new UsageError('give exactly one NUMBER')
    }
    const record = await addNumber(services, {
      number,
      ownerUid: requireValue(values, 'owner'),
      assignTo: multipleValues(values, 'assign'),
      ...(optionalValue(values, 'country') === null
        ? {}
        : { callingCode: optionalValue(values, 'country')! }),
    })
    return toNumberJson(record)
  },
  'tokens create': async (services, args) => {
    const { values } = parse(args, {
      user: 'string',
      scopes: 'string',
      'expires-in-days': 'string',
    })
    const scopes = values['scopes']
    const days = values['expires-in-days']
    const { token } = await createPersonalToken(services, {
      uid: requireValue(values, 'user'),
      scopes:
        typeof scopes === 'string'
          ? scopes
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== '')
          : null,
      expiresInDays: typeof days === 'string' ? Number(days) : null,
    })
    return { token }
  },
  'accounts list': async (services, args) => {
    parse(args, {})
    return (await listAccounts(services)).map(toAccountJson)
  },
  'numbers list': async (services, args) => {
    const { values } = parse(args, { owner: 'string' })
    return (await listServerNumbers(services, optionalValue(values, 'owner'))).map(toNumberJson)
  },
  'tokens list': async (services, args) => {
    const { values } = parse(args, { user: 'string' })
    return (await listTokens(services, requireValue(values, 'user'))).map(toTokenJson)
  },
  'tokens revoke': async (services, args) => {
    const { positionals } = parse(args, {}, true)
    const [id, ...extra] = positionals
    if (id === undefined || extra.length > 0) {
      throw new UsageError('give exactly one token ID (faxd tokens list --user UID shows them)')
    }
    await revokeToken(services, id)
    return { id, revoked: true }
  },
  'clients create': async (services, args) => {
    const { values } = parse(args, {
      user: 'string',
      name: 'string',
      homepage: 'string',
      'redirect-uri': 'multiple',
      public: 'flag',
    })
    const redirectUris = multipleValues(values, 'redirect-uri')
    if (redirectUris.length === 0) {
      throw new UsageError('--redirect-uri is required (once per URI)')
    }
    const client = await createOAuthClient(services, {
      uid: requireValue(values, 'user'),
      type: values['public'] === true ? 'public' : 'confidential',
      name: requireValue(values, 'name'),
      homepage: optionalValue(values, 'homepage'),
      redirectUris,
    })
    return { client_id: client.clientId, client_secret: client.clientSecret }
  },
}

/** A token as the operator sees it: what it may do and when, never its secret. */
function toTokenJson(token: AccessToken) {
  const time = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
  return {
    id: token.id,
    kind: token.kind,
    client_id: token.clientId,
    scopes: [...token.scopes],
    created_at: time(token.createdAtMs),
    expires_at: time(token.expiresAtMs),
    revoked_at: time(token.revokedAtMs),
  }
}

/** A password from standard input, not echoed on a terminal (read-secret-line.ts). */
function readPassword(): Promise<string> {
  return readSecretLine('password (not shown; then Enter): ', 'give the password on standard input')
}

export async function runCli(argv: string[]): Promise<number> {
  const [group, action, ...rest] = argv
  try {
    if (asksForHelp(argv)) {
      process.stdout.write(helpText(argv))
      return 0
    }
    // The client commands speak HTTP to a server: they read no server settings and open no store.
    const client = await import('./client-commands.js')
    if (client.isClientCommand(argv)) {
      return await client.runClient(argv)
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
    const command = COMMANDS[`${group ?? ''} ${action ?? ''}`]
    if (!command) {
      throw new UsageError(
        group === undefined ? 'no command given' : `unknown command: ${argv.join(' ')}`,
      )
    }
    const store = await openStore({
      dataDir: config.dataDir,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    })
    try {
      console.log(
        JSON.stringify(
          await command({ store, clock: systemClock, passwords: new PasswordHashing() }, rest),
        ),
      )
    } finally {
      await store.close()
    }
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
    { createWorker, openServices, prepareRendering },
    { FaxdMetrics },
    { startMetricsServer },
  ] = await Promise.all([
    import('../shared/logger.js'),
    import('../main.js'),
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
