/**
 * Scopes, as Fax.Plus names them (`fax:<resource>:<read|edit>`). `fax:all:read` grants every
 * read scope and `fax:all:edit` every scope; `all`, the scope of OAuth2 grants, grants
 * everything. Personal tokens carry the scopes the operator gave them; an OAuth2 token carries
 * those the application asked for at /login (`all` when it asked for none, as Fax.Plus clients
 * do). Each route lists its permitted scopes; a token is let through when it holds one of them
 * or a scope that covers one of them.
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

/**
 * The scope of an OAuth2 grant that names none: Fax.Plus's only one ("for now when a user grants
 * permission, all grants will be permitted").
 */
export const OAUTH_SCOPE_ALL = 'all'

/** What a token with each scope can do, in words for the consent page. */
export const SCOPE_WORDS: Readonly<Record<Scope | typeof OAUTH_SCOPE_ALL, string>> = {
  all: 'do everything you can: send, read and delete faxes, and manage your numbers, webhooks, account and members',
  'fax:all:read': 'read everything: your faxes, numbers, webhooks, account and members',
  'fax:all:edit':
    'do everything you can: send, read and delete faxes, and manage your numbers, webhooks, account and members',
  'fax:fax:read': 'read your faxes, sent and received, with their pages and reports',
  'fax:fax:edit': 'send faxes, and change or delete your faxes',
  'fax:file:edit': 'upload documents to fax',
  'fax:webhook:read': 'see your webhooks and their deliveries',
  'fax:webhook:edit': 'add and remove webhooks, and read their signing secrets',
  'fax:user:read': 'read your account details',
  'fax:user:edit': 'change your account details',
  'fax:member:read': 'read your account and its members',
  'fax:member:edit': "change your members' details",
  'fax:numbers:read': 'see your fax numbers',
  'fax:numbers:edit': 'assign and release your fax numbers',
}

/**
 * The `scope` an application asks for at /login (RFC 6749 §3.3: "a list of space-delimited,
 * case-sensitive strings"), as the scopes to grant: `all` when it names none, each name once.
 * Unknown names are answered instead, for an `invalid_scope` redirect.
 */
export function parseRequestedScope(
  text: string | undefined,
): { readonly granted: readonly string[] } | { readonly unknown: readonly string[] } {
  const names = [...new Set((text ?? '').split(' ').filter((name) => name !== ''))]
  const unknown = names.filter((name) => name !== OAUTH_SCOPE_ALL && !isScope(name))
  if (unknown.length > 0) {
    return { unknown }
  }
  if (names.length === 0 || names.includes(OAUTH_SCOPE_ALL)) {
    return { granted: [OAUTH_SCOPE_ALL] }
  }
  return { granted: names }
}

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
