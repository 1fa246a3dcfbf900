/**
 * Which redirect URIs an OAuth2 client may register. A code goes wherever the redirect URI
 * points, so it must point at something only the client controls:
 * - `https` anywhere;
 * - `http` only on the loopback interface, where a native app listens for the redirect
 *   (RFC 8252 §7.3: "Loopback redirect URIs use the 'http' scheme");
 * - a private-use scheme in reverse-domain form for native apps (RFC 8252 §7.1: "a URI scheme
 *   based on a domain name under their control, expressed in reverse order", such as
 *   `com.example.app:/oauth2redirect`).
 * Anything else, `javascript:`, `data:`, `file:` among them, is refused, as is a fragment
 * (RFC 6749 §3.1.2: "The endpoint URI MUST NOT include a fragment component").
 */

/** Schemes that run or read something on the user's side, never a client's endpoint. */
const DANGEROUS_SCHEMES = new Set([
  'javascript',
  'data',
  'file',
  'vbscript',
  'blob',
  'about',
  'filesystem',
])

/** A private-use scheme: at least two dot-separated labels (RFC 8252 §7.1, RFC 3986 §3.1). */
const REVERSE_DOMAIN_SCHEME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/

/** Why `text` cannot be a redirect URI, or null when it can. */
export function redirectUriProblem(text: string): string | null {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return `not an absolute URI: ${text}`
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase()
  if (url.hash !== '' || text.includes('#')) {
    return 'a redirect URI must not have a fragment (RFC 6749 §3.1.2)'
  }
  if (DANGEROUS_SCHEMES.has(scheme)) {
    return `the ${scheme}: scheme cannot receive a code; use https, http on a loopback address, or a reverse-domain scheme (RFC 8252)`
  }
  if (scheme === 'https') {
    return url.hostname === '' ? `no host in ${text}` : null
  }
  if (scheme === 'http') {
    return LOOPBACK_HOSTS.test(url.hostname)
      ? null
      : 'http is allowed only on a loopback address (127.0.0.1, [::1], localhost; RFC 8252 §7.3); use https'
  }
  if (REVERSE_DOMAIN_SCHEME.test(scheme)) {
    return null
  }
  return `the ${scheme}: scheme is neither https nor a private-use scheme in reverse-domain form such as com.example.app: (RFC 8252 §7.1)`
}
