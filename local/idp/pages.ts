/**
 * The local provider's pages: the sign-in form (one `email` field, no password) and its error page.
 * Served with their own CSP: the form may post to the provider and be redirected on to the site.
 */
import type { ServerResponse } from 'node:http';
import { html } from '#shared/core/html/html.ts';
import { page } from '#shared/core/html/layout.ts';
import type { LocalUser } from './users.ts';

export function signInPage(options: {
  action: string;
  users: readonly LocalUser[];
  problem?: string;
}): string {
  const { action, users, problem } = options;
  return page({
    title: 'Sign in (local)',
    body: html`<h1>Sign in</h1>
<p>This is the local sign-in service of <code>npm start</code>: type one of the addresses below (no password).</p>
${problem ? html`<p class="errors" role="alert" id="problem">${problem}</p>` : ''}
<form method="post" action="${action}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required${problem ? html` aria-describedby="problem"` : ''}>
<button type="submit">Sign in</button>
</form>
<h2>Local users</h2>
<ul>${users.map((user) => html`<li><code>${user.email}</code>: ${user.groups.join(', ') || 'no team'}</li>`)}</ul>`,
  });
}

export function problemPage(title: string, message: string): string {
  return page({
    title,
    body: html`<h1>${title}</h1><p>${message}</p><p><a href="/">Back to the site</a></p>`,
  });
}

/** Writes a page with the headers every page of the site carries. */
export function writePage(res: ServerResponse, status: number, body: string, formTargets: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${formTargets}; base-uri 'none'; frame-ancestors 'none'`,
  });
  res.end(body);
}
