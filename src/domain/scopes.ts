/**
 * Scopes of personal access tokens, as Fax.Plus names them (`fax:<resource>:<read|edit>`).
 * `fax:all:read` grants every read scope and `fax:all:edit` every scope. OAuth2 tokens carry the
 * single scope `all`, which grants everything. Each route lists its permitted scopes; a token is
 * let through when it holds one of them or a scope that covers one of them.
 */
export const SCOPES = [
  'fax:all:read',
  'fax:all:edit',
  'fax:fax:read',
  'fax:fax:edit',
  'fax:file:edit',
  'fax:webhook:read',
  'fax:webhook:edit',
  'fax:user:read',
  'fax:user:edit',
  'fax:member:read',
  'fax:member:edit',
  'fax:numbers:read',
  'fax:numbers:edit',
] as const
export type Scope = (typeof SCOPES)[number]

/** The scope an OAuth2 grant carries ("for now when a user grants permission, all grants will be permitted"). */
export const OAUTH_SCOPE_ALL = 'all'

export function isScope(text: string): text is Scope {
  return (SCOPES as readonly string[]).includes(text)
}

function covers(held: string, wanted: Scope): boolean {
  if (held === OAUTH_SCOPE_ALL || held === 'fax:all:edit' || held === wanted) {
    return true
  }
  return held === 'fax:all:read' && wanted.endsWith(':read')
}

export function scopesPermit(held: readonly string[], permitted: readonly Scope[]): boolean {
  return permitted.some((wanted) => held.some((h) => covers(h, wanted)))
}
