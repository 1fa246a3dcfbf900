/**
 * Checks a webhook target before every attempt: an http or https URL whose host (an address, or
 * a name resolved once to all its addresses) has no address that address-ranges.ts forbids. The
 * answer carries the checked addresses, and the request connects to one of them, never to a
 * second lookup of the name that could answer differently (DNS rebinding).
 *
 * A refusal is final for the delivery. A failed lookup is not a refusal: it is thrown, and the
 * attempt counts as a network error that is retried.
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { forbiddenAddressReason } from './address-ranges.js'

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

export type TargetCheck =
  | { readonly allowed: true; readonly url: URL; readonly addresses: readonly ResolvedAddress[] }
  | { readonly allowed: false; readonly reason: string }

export interface TargetGuardOptions {
  /** The operator's FAXD_WEBHOOK_ALLOW_PRIVATE: any address may be called. */
  readonly allowPrivate: boolean
  readonly resolve: HostResolver
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
  const host = hostOf(url)
  const family = isIP(host)
  const addresses: readonly ResolvedAddress[] =
    family === 0 ? await options.resolve(host) : [{ address: host, family: family === 6 ? 6 : 4 }]
  if (addresses.length === 0) {
    throw new Error(`${host} has no address`)
  }
  if (!options.allowPrivate) {
    for (const { address } of addresses) {
      const reason = forbiddenAddressReason(address)
      if (reason !== null) {
        const what = family === 0 ? `${host} resolves to ${address}` : address
        return { allowed: false, reason: `${what}: ${reason} address` }
      }
    }
  }
  return { allowed: true, url, addresses }
}

/** The URL's host name or address, without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  const { hostname } = url
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
}
