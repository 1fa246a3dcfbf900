/** The HTML of the OAuth2 sign-in and consent page. Every value is escaped. */
export interface LoginPageFields {
  readonly clientId: string
  readonly redirectUri: string
  readonly state: string
  readonly email: string
  readonly message: string | null
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export function loginPage(fields: LoginPageFields): string {
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to faxd</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input[type=email],input[type=password]{width:100%;padding:.4rem}
.actions{margin-top:1.2rem;display:flex;gap:.6rem}.message{color:#a00}</style></head>
<body><h1>Sign in to faxd</h1>
<p>The application <strong>${escapeHtml(fields.clientId)}</strong> asks to send and read faxes on your behalf.
After you allow it, you return to <code>${escapeHtml(fields.redirectUri)}</code>.</p>
${fields.message ? `<p class="message" role="alert">${escapeHtml(fields.message)}</p>` : ''}
<form method="post" action="/login">
${hidden('client_id', fields.clientId)}${hidden('redirect_uri', fields.redirectUri)}${hidden('state', fields.state)}
${hidden('response_type', 'code')}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" value="${escapeHtml(fields.email)}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<div class="actions"><button name="decision" value="allow" type="submit">Sign in and allow</button>
<button name="decision" value="deny" type="submit">Deny</button></div>
</form></body></html>`
}

export function errorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>faxd sign-in</title></head>
<body><h1>This sign-in link cannot be used</h1><p>${escapeHtml(message)}</p></body></html>`
}
