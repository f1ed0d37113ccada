/**
 * The requester's side with sign-in (AUTH_MODE=sso): the form is for someone signed in and fills in
 * who they are; a submission takes the requester from the identity whatever the body says (and needs
 * the session's CSRF token); a request's status is read by its requester, the review teams,
 * Technology Services and the auditors; `/my/requests` lists one's own. In link mode everything is as
 * before: the form is open, the body names the requester, the request id is the capability.
 */
import { NotFoundError } from '../core/errors.ts';
import { isRecord } from '../core/guards.ts';
import { html } from '../core/html/html.ts';
import { page } from '../core/html/layout.ts';
import {
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  jsonResponse,
  wantsHtml,
} from '../core/http/edge.ts';
import {
  AccessDeniedError,
  type CallerDeps,
  isResponse,
  type KnownCaller,
  requireCsrf,
  signedInOrSignIn,
} from '../identity/index.ts';
import type { RequestRecord } from '../workflow/index.ts';
import type { RequestStore } from './store.ts';

/** A cookie session's POST carries its CSRF token (form field or header); 403 otherwise. */
export function requireSubmitCsrf(event: HttpEvent, caller: KnownCaller | undefined, raw: unknown): void {
  if (caller) requireCsrf(caller, event, isRecord(raw) ? raw : {});
}

/** A submission's input with the requester taken from the identity (sso); as it came in link mode. */
export function withRequester(caller: KnownCaller | undefined, input: unknown): unknown {
  if (!caller) return input;
  const { csrf: _csrf, ...rest }: Record<string, unknown> = isRecord(input) ? input : {};
  return { ...rest, requesterName: caller.person.name, requesterEmail: caller.person.email };
}

/** Who may read a request: its requester, any team or oversight group. AccessDeniedError otherwise. */
export function requireReader(caller: KnownCaller | undefined, record: RequestRecord): void {
  if (!caller) return;
  const mine = record.submitted.requesterEmail.toLowerCase() === caller.person.email;
  if (!mine && caller.person.teams.length === 0) throw new AccessDeniedError('not-yours');
}

export interface MyRequestsDeps {
  caller: CallerDeps;
  store: Pick<RequestStore, 'listRequestsByRequester'>;
}

export interface MyRequestItem {
  requestId: string;
  resourceName: string;
  status: RequestRecord['status'];
  submittedAt: string;
}

/** GET /my/requests: the signed-in person's own requests, newest first (the last 50). */
export async function myRequests(event: HttpEvent, deps: MyRequestsDeps): Promise<HttpResponse> {
  const who = await signedInOrSignIn(event, deps.caller, '/my/requests');
  if (!who)
    throw new NotFoundError('Your list of requests needs sign-in: this site runs with AUTH_MODE=link.');
  if (isResponse(who)) return who;
  const items: MyRequestItem[] = (await deps.store.listRequestsByRequester(who.person.email)).map((r) => ({
    requestId: r.requestId,
    resourceName: r.submitted.resourceName,
    status: r.status,
    submittedAt: r.createdAt,
  }));
  if (!wantsHtml(event)) return jsonResponse(200, { items });
  const csrf = who.kind === 'session' ? who.session.csrf : '';
  const body = html`<h1>My requests</h1>
<p>Signed in as <strong>${who.person.name}</strong> (${who.person.email}) · <a href="/">Request a digital resource</a></p>
${
  items.length
    ? html`<table><caption class="hint">Your requests, newest first</caption>
<thead><tr><th scope="col">Request</th><th scope="col">Resource</th><th scope="col">Status</th><th scope="col">Submitted</th></tr></thead>
<tbody>${items.map(
        (i) =>
          html`<tr><td><a href="/requests/${encodeURIComponent(i.requestId)}">${i.requestId}</a></td><td>${i.resourceName}</td><td><span class="badge ${i.status}">${i.status.replace('_', ' ')}</span></td><td>${i.submittedAt.slice(0, 10)}</td></tr>`,
      )}</tbody></table>`
    : html`<p>You have not asked for a resource yet.</p>`
}
<form method="post" action="/auth/logout"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="secondary">Sign out</button></form>`;
  return htmlResponse(200, page({ title: 'My requests', body }));
}
