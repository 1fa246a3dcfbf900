/**
 * Checks a webhook target before every attempt: an http or https URL without a user name or
 * password, whose host (an address, or a name resolved once to all its addresses) has no address
 * that address-ranges.ts forbids and none of this server's own interface addresses. The answer
 * carries the checked addresses, and the request connects to one of them, never to a second
 * lookup of the name that could answer differently (DNS rebinding).
 *
 * The server's own addresses are refused because a public address of the server reaches it as
 * surely as 127.0.0.1 does, and no range can know it. They are read at every check,
 * since interfaces come and go. FAXD_WEBHOOK_ALLOW_PRIVATE=1 allows them with every other
 * address: an operator who lets webhooks reach loopback lets them reach this machine anyway.
 *
 * A refusal is final for the delivery. A failed lookup is not a refusal: it is thrown, and the
 * attempt counts as a network error that is retried.
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { networkInterfaces } from 'node:os'
import { hasCredentials, type WebhookTargetPolicy } from '../domain/webhook.js'
import { settleWithin } from '../shared/deadline.js'
import { addressKey, carriedIPv4Addresses, forbiddenAddressReason } from './address-ranges.js'

export interface ResolvedAddress {
  readonly address: string
  readonly family: 4 | 6
}

/** Every address of a host name. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>

/** The system's resolver (getaddrinfo, so /etc/hosts too), every address in its order. */
export const systemResolver: HostResolver = async (hostname) => {
  const found = await lookup(hostname, { all: true, verbatim: true })
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }))
}

/** The addresses of this machine's network interfaces as they are now. */
export type OwnAddresses = () => readonly string[]

/** Every address os.networkInterfaces() lists, read again at each call. */
export const systemOwnAddresses: OwnAddresses = () =>
  Object.values(networkInterfaces()).flatMap((entries) =>
    (entries ?? []).map((entry) => entry.address),
  )

export type TargetCheck =
  | { readonly allowed: true; readonly url: URL; readonly addresses: readonly ResolvedAddress[] }
  | { readonly allowed: false; readonly reason: string }

export interface TargetGuardOptions {
  /** The operator's FAXD_WEBHOOK_ALLOW_PRIVATE: any address may be called, this server's too. */
  readonly allowPrivate: boolean
  readonly resolve: HostResolver
  /** This server's addresses, refused unless allowPrivate; systemOwnAddresses unless set. */
  readonly ownAddresses?: OwnAddresses
}

export async function checkTarget(
  target: string,
  options: TargetGuardOptions,
): Promise<TargetCheck> {
  let url: URL
  try {
    url = new URL(target)
  } catch {
    return { allowed: false, reason: 'the target is not a URL' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { allowed: false, reason: `the scheme ${url.protocol} is neither http: nor https:` }
  }
  if (hasCredentials(url)) {
    return {
      allowed: false,
      reason: 'the target has a user name or password in it, which faxd does not send',
    }
  }
  const host = hostOf(url)
  const family = isIP(host)
  const addresses: readonly ResolvedAddress[] =
    family === 0 ? await options.resolve(host) : [{ address: host, family: family === 6 ? 6 : 4 }]
  if (addresses.length === 0) {
    throw new Error(`${host} has no address`)
  }
  if (!options.allowPrivate) {
    const own = ownKeys(options.ownAddresses ?? systemOwnAddresses)
    for (const { address } of addresses) {
      const reason = refusalOf(address, own)
      if (reason !== null) {
        const what = family === 0 ? `${host} resolves to ${address}` : address
        return { allowed: false, reason: `${what}: ${reason}` }
      }
    }
  }
  return { allowed: true, url, addresses }
}

/** Why an address may not be called when private targets are refused, or null. */
function refusalOf(address: string, own: ReadonlySet<string>): string | null {
  const reason = forbiddenAddressReason(address)
  if (reason !== null) {
    return `${reason} address`
  }
  if (own.has(addressKey(address))) {
    return 'an address of this server'
  }
  const carried = carriedIPv4Addresses(address).find((ipv4) => own.has(addressKey(ipv4)))
  return carried === undefined ? null : `carries ${carried}, an address of this server`
}

function ownKeys(ownAddresses: OwnAddresses): ReadonlySet<string> {
  const keys = new Set<string>()
  for (const address of ownAddresses()) {
    if (isIP(address.split('%')[0] ?? '') !== 0) {
      keys.add(addressKey(address))
    }
  }
  return keys
}

/** The URL's host name or address, without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  const { hostname } = url
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
}

/** How long registration waits for a name's addresses before accepting it unchecked. */
const REGISTRATION_LOOKUP_MS = 3_000

/**
 * The check at registration (WebhookTargetPolicy): checkTarget with the system resolver. With
 * private targets allowed every address is, so nothing is looked up. A name that does not
 * resolve now, or not within REGISTRATION_LOOKUP_MS, is not refused for it: DNS may answer by
 * the first delivery, which checks again, and the delivery log will say if it does not.
 */
export function webhookTargetPolicy(
  allowPrivate: boolean,
  resolve: HostResolver = systemResolver,
): WebhookTargetPolicy {
  return {
    refusal: async (target) => {
      if (allowPrivate) {
        return null
      }
      const checked = checkTarget(target, { allowPrivate, resolve }).then(
        (check) => (check.allowed ? null : check.reason),
        () => null,
      )
      return settleWithin(checked, REGISTRATION_LOOKUP_MS, () => null)
    },
  }
}
