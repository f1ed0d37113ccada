/**
 * GET / — SOP steps 1–2: the request form (every SOP step 2 field). With sign-in (AUTH_MODE=sso) it
 * is for someone signed in: it shows who they are (not editable) and carries the session's CSRF token;
 * nobody signed in is sent to sign in first.
 *
 * Env: IDENTITY_ENV. IAM: secretsmanager:GetSecretValue on the session key.
 */
import { type HttpEvent, type HttpResponse, htmlResponse, httpHandler } from '#shared/core/http/edge.ts';
import { type CallerDeps, callerDeps, isResponse, signedInOrSignIn } from '#shared/identity/index.ts';
import { renderRequestForm } from '#shared/requests/pages/request-form.ts';

export async function requestForm(
  event: HttpEvent,
  caller: CallerDeps = callerDeps(),
): Promise<HttpResponse> {
  const who = await signedInOrSignIn(event, caller, '/');
  if (isResponse(who)) return who;
  if (!who) return htmlResponse(200, renderRequestForm());
  const csrf = who.kind === 'session' ? who.session.csrf : '';
  return htmlResponse(
    200,
    renderRequestForm({ signedIn: { name: who.person.name, email: who.person.email, csrf } }),
  );
}

export const handler = httpHandler((event) => requestForm(event));
