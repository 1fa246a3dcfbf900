/**
 * The HTML of the OAuth2 sign-in and consent page. It names the application and says in words
 * what it will be able to do (the scopes it asked for), and where the browser goes next. Every
 * value is escaped.
 */
import { type Scope, SCOPE_WORDS } from '../../domain/scopes.js'
import { CONSOLE_CLIENT_ID } from '../../shared/console-client.js'
import type { AuthorizationRequest } from '../../use-cases/check-authorization-request.js'

export interface LoginPageFields {
  readonly request: AuthorizationRequest
  readonly state: string
  readonly email: string
  readonly message: string | null
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** What the scopes allow, one item each, without repeats (`all` and `fax:all:edit` say the same). */
function abilities(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map((scope) => SCOPE_WORDS[scope as Scope | 'all'] ?? scope))]
}

export function loginPage(fields: LoginPageFields): string {
  const { client, redirectUri, redirectUriGiven, scopes, codeChallenge } = fields.request
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`
  const appName = escapeHtml(client.name)
  const named =
    client.homepage === null
      ? `<strong>${appName}</strong>`
      : `<strong><a href="${escapeHtml(client.homepage)}" rel="noopener noreferrer" target="_blank">${appName}</a></strong>`
  // faxd's own console asks for nothing beyond signing in: no application to name or trust.
  const ownConsole = client.clientId === CONSOLE_CLIENT_ID
  const pkce =
    codeChallenge === null
      ? ''
      : hidden('code_challenge', codeChallenge) + hidden('code_challenge_method', 'S256')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to faxd</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input[type=email],input[type=password]{width:100%;padding:.4rem}
.actions{margin-top:1.2rem;display:flex;gap:.6rem}.message{color:#a00}</style></head>
<body><main><h1>Sign in to faxd</h1>
${
  ownConsole
    ? `<p>Sign in to the faxd web console at <code>${escapeHtml(redirectUri)}</code>.</p>`
    : `<p>The application ${named} asks for access to your faxd account. If you allow it, it will be able to:</p>
<ul class="scopes">${abilities(scopes)
        .map((words) => `<li>${escapeHtml(words)}</li>`)
        .join('')}</ul>
<p>After you answer, you return to <code>${escapeHtml(redirectUri)}</code>.</p>`
}
${fields.message ? `<p class="message" role="alert">${escapeHtml(fields.message)}</p>` : ''}
<form method="post" action="/login">
${hidden('client_id', client.clientId)}${redirectUriGiven ? hidden('redirect_uri', redirectUri) : ''}${hidden('state', fields.state)}
${hidden('response_type', 'code')}${hidden('scope', scopes.join(' '))}${pkce}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" value="${escapeHtml(fields.email)}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<div class="actions"><button name="decision" value="allow" type="submit">${ownConsole ? 'Sign in' : 'Sign in and allow'}</button>
<button name="decision" value="deny" type="submit">${ownConsole ? 'Cancel' : 'Deny'}</button></div>
</form></main></body></html>`
}

export function errorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>faxd sign-in</title></head>
<body><main><h1>This sign-in link cannot be used</h1><p>${escapeHtml(message)}</p></main></body></html>`
}
