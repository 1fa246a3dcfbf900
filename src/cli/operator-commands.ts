/**
 * The operator commands, which work on the store itself (accounts, numbers, tokens, OAuth
 * clients): loaded by cli/main.ts only for them, since the store's code is most of the CLI's
 * start-up.
 */
import type { Config } from '../config.js'
import { systemClock } from '../shared/clock.js'
import { PasswordHashing } from '../shared/secrets.js'
import { openStore } from '../storage/sql/open-store.js'
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
import { multipleValues, optionalValue, parse, requireValue } from './arguments.js'
import { readSecretLine } from './read-secret-line.js'
import { UsageError } from './usage-error.js'

/** Runs `faxd GROUP ACTION …` on the store the config names; what it answers is printed as JSON. */
export async function runOperatorCommand(config: Config, argv: string[]): Promise<unknown> {
  const [group, action, ...rest] = argv
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
    return await command({ store, clock: systemClock, passwords: new PasswordHashing() }, rest)
  } finally {
    await store.close()
  }
}

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
