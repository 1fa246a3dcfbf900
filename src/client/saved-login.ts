/**
 * Where `faxd login` keeps the server's address and the token the client commands use:
 * `$XDG_CONFIG_HOME/faxd/client.json` (`~/.config/faxd/client.json` by default), readable by its
 * owner alone (mode 0600, in a folder of mode 0700). FAXD_URL and FAXD_TOKEN, set together,
 * take the place of what is saved, for scripts and CI that keep their secrets elsewhere; one
 * without the other is refused, so that a saved token is never sent to another server.
 */
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { hasErrorCode } from '../shared/error-code.js'

export interface Login {
  /** The server's root, without /v3 and without a trailing slash: `https://fax.example.com`. */
  readonly url: string
  readonly token: string
}

/** What a client command could not start without, said in words. */
export class NotLoggedInError extends Error {
  override readonly name = 'NotLoggedInError'
}

export function savedLoginPath(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env['XDG_CONFIG_HOME']
  const base =
    configHome !== undefined && configHome !== '' ? configHome : join(homedir(), '.config')
  return join(base, 'faxd', 'client.json')
}

/**
 * The server's root from what a person types: a scheme is required (http or https), and a
 * trailing `/v3` or `/` is dropped, so that the URL the API answers under and its root both do.
 */
export function serverRoot(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new NotLoggedInError(`${JSON.stringify(text)} is not a URL; write it as http://host:port`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NotLoggedInError(
      `the server's URL must start with http:// or https://, not ${url.protocol}`,
    )
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new NotLoggedInError("give the server's URL without a query, fragment or user name")
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '').replace(/\/v3$/, '')
}

/** The login the client commands use: FAXD_URL with FAXD_TOKEN, else the saved one. */
export async function currentLogin(env: NodeJS.ProcessEnv = process.env): Promise<Login> {
  const url = nonEmpty(env['FAXD_URL'])
  const token = nonEmpty(env['FAXD_TOKEN'])
  if (url !== undefined && token !== undefined) {
    return { url: serverRoot(url), token }
  }
  if (url !== undefined || token !== undefined) {
    throw new NotLoggedInError(
      `${url === undefined ? 'FAXD_TOKEN' : 'FAXD_URL'} is set without ` +
        `${url === undefined ? 'FAXD_URL' : 'FAXD_TOKEN'}: set both, or neither to use the saved login`,
    )
  }
  const path = savedLoginPath(env)
  let saved: Partial<Login>
  try {
    saved = JSON.parse(await readFile(path, 'utf8')) as Partial<Login>
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) {
      throw new NotLoggedInError(
        'not logged in: run `faxd login --url URL` with a personal access token, or set FAXD_URL and FAXD_TOKEN',
      )
    }
    throw new NotLoggedInError(
      `${path} cannot be read (${(error as Error).message}); run faxd login again`,
    )
  }
  if (typeof saved.url !== 'string' || typeof saved.token !== 'string' || saved.token === '') {
    throw new NotLoggedInError(`${path} holds no login; run faxd login again`)
  }
  return { url: serverRoot(saved.url), token: saved.token }
}

/**
 * Saves a login, readable by its owner alone from its first byte: the file is created with mode
 * 0600 under another name and renamed over the old one, so that a reader never sees half of it.
 */
export async function saveLogin(
  login: Login,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const path = savedLoginPath(env)
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const partial = `${path}.${process.pid}.partial`
  // 'wx': a new file, never one a link or an earlier run left there.
  await rm(partial, { force: true })
  const file = await open(partial, 'wx', 0o600)
  try {
    try {
      await file.chmod(0o600)
      await file.writeFile(`${JSON.stringify({ url: login.url, token: login.token }, null, 2)}\n`)
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(partial, path)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
  await chmod(dirname(path), 0o700)
  return path
}

/** Forgets the saved login; answers whether there was one. */
export async function forgetLogin(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    await rm(savedLoginPath(env))
    return true
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) {
      return false
    }
    throw error
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
