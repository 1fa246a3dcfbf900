/**
 * Takes secrets out of text that is about to be written somewhere people read: log lines and
 * error descriptions that echo a request. One function for every place, so that no route has to
 * remember it (docs/authentication.md, "What is never written down").
 *
 * Four shapes are recognised:
 * - faxd's own secrets by their prefix, wherever they stand: personal and OAuth2 tokens,
 *   client secrets, authorization codes and webhook signing secrets;
 * - a URL's query string: every value is taken out except those of the parameters faxd knows
 *   to be harmless (an allow-list, so that a secret under a name mangled by a careless client,
 *   or one faxd does not know, is not written down either);
 * - `name=value` in a query string or form, when the name holds a word that says secret
 *   (password, secret, token, code, verifier);
 * - `"name":"value"` in JSON, for the keys that carry secrets, an Authorization header's among
 *   them.
 * What is removed becomes `[redacted]`, so a reader still sees that something was there.
 */
export const REDACTED = '[redacted]'

/** The prefixes of secrets faxd makes (shared/ids.ts newSecret, webhook-delivery.ts). */
const OWN_SECRET = /\b(faxd_(?:pat|oat|ort|cs|code)_|whsec_)[A-Za-z0-9_-]+/g

/** Keys whose values are secrets, in JSON (not `code`: JSON logs use it for error codes). */
const SECRET_KEYS = [
  'password',
  'new_password',
  'client_secret',
  'code_verifier',
  'refresh_token',
  'access_token',
  'token',
  'signing_secret',
  'authorization',
]

// A parameter starts the text or follows `?`, `&` or `;`; its value runs to the next separator,
// quote or white space. A name that holds one of the words counts (`password%` or
// `my_client_secret` from a careless client), so `encode=` is redacted too: better one value
// too many than one secret written down.
const NAME_CHARACTER = `[^&;=?#"'\\s]`
const PARAMETER_VALUE = new RegExp(
  `(^|[?&;])(${NAME_CHARACTER}*(?:password|secret|token|code|verifier)${NAME_CHARACTER}*=)[^&;#"'\\s]*`,
  'gi',
)
// A JSON string value, escapes included, after one of the keys.
const JSON_VALUE = new RegExp(
  `("(?:${SECRET_KEYS.join('|')})"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*"`,
  'gi',
)

/** Query parameters whose values say what a request was about and are never secret. */
const HARMLESS_PARAMETERS = new Set([
  // OAuth2 (/login, /token)
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'grant_type',
  'code_challenge_method',
  'decision',
  'error',
  'error_description',
  // the /v3 routes
  'category',
  'after',
  'before',
  'limit',
  'cursor',
  'event',
  'format',
  'width',
])

/** A query string: after `?`, up to white space, a quote, `#` or the end. */
const QUERY = /\?([^\s"'#<>\\]*)/g

function redactQuery(query: string): string {
  return query
    .split(/([&;])/)
    .map((part) => {
      const equals = part.indexOf('=')
      if (equals < 0 || HARMLESS_PARAMETERS.has(part.slice(0, equals))) {
        return part
      }
      return `${part.slice(0, equals + 1)}${REDACTED}`
    })
    .join('')
}

export function redactSecrets(text: string): string {
  if (text.length === 0) {
    return text
  }
  return text
    .replace(OWN_SECRET, `$1${REDACTED}`)
    .replace(QUERY, (_match, query: string) => `?${redactQuery(query)}`)
    .replace(PARAMETER_VALUE, `$1$2${REDACTED}`)
    .replace(JSON_VALUE, `$1${REDACTED}"`)
}
