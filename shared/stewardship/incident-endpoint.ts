/**
 * /incidents: a student data incident is reported.
 *
 * - POST (form or JSON: resourceId, reportedOn, description, studentsAffected, dataElements[]). With
 *   sign-in (AUTH_MODE=sso) anyone signed in may report (the session's CSRF token is required; a bearer
 *   client needs none): the reporter is the verified person. In link mode nobody is known: 403.
 * - The vendor's incident link (`?link=<id>&t=<secret>`, from the DPA emails), in either mode: GET shows
 *   the form (reads only: mail scanners follow links); POST with `link` and `t` (hidden fields, or the
 *   query) reports on the link's resource as its vendor. No session and no CSRF token: the link's secret
 *   is the credential. A bad link gets its own 4xx page (404, 403, 410, 429; 409 while the resource is
 *   not in the registry) and nothing is written.
 *
 * 201 with the incident id and its notice deadlines (a page for a browser's form); 400 naming every bad
 * field, nothing stored.
 */
import { ValidationError } from '../core/errors.ts';
import { isRecord } from '../core/guards.ts';
import {
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  jsonResponse,
  parseBody,
  wantsHtml,
} from '../core/http/edge.ts';
import {
  AccessDeniedError,
  type CallerDeps,
  isResponse,
  requireCsrf,
  signedInOrSignIn,
} from '../identity/index.ts';
import { type ReportIncidentDeps, reportIncident } from './incidents.ts';
import {
  type IncidentFormValues,
  renderIncidentForm,
  renderIncidentReported,
} from './pages/incident-form.ts';
import { openIncidentLink, reportThroughLink, type VendorIncidentDeps } from './vendor-incidents.ts';

export type IncidentEndpointDeps = ReportIncidentDeps & VendorIncidentDeps;

const query = (event: HttpEvent, name: string) => event.queryStringParameters?.[name] ?? undefined;
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The link presented: the form's hidden fields, or the query (a JSON client's choice). */
function linkOf(event: HttpEvent, body?: Record<string, unknown>) {
  const linkId = text(body?.link) ?? query(event, 'link');
  const secret = text(body?.t) ?? query(event, 't');
  return { linkId, secret, present: linkId !== undefined || secret !== undefined };
}

/** What the vendor typed, to show again beside the errors. */
function typed(body: Record<string, unknown>): IncidentFormValues {
  const one = (v: unknown) => (Array.isArray(v) ? v.map(String).join('\n') : (text(v) ?? undefined));
  const values: IncidentFormValues = {};
  for (const key of ['reportedOn', 'description', 'studentsAffected', 'dataElements'] as const) {
    const value = one(body[key]);
    if (value !== undefined) values[key] = value;
  }
  return values;
}

export async function incidentFormEndpoint(
  event: HttpEvent,
  deps: IncidentEndpointDeps,
): Promise<HttpResponse> {
  const { linkId, secret } = linkOf(event);
  const link = await openIncidentLink(linkId, secret, deps);
  return htmlResponse(
    200,
    renderIncidentForm({ link, secret: secret ?? '', today: deps.now().toISOString().slice(0, 10) }),
  );
}

export async function reportIncidentEndpoint(
  event: HttpEvent,
  deps: IncidentEndpointDeps,
  caller: CallerDeps,
): Promise<HttpResponse> {
  if (event.httpMethod === 'GET') return incidentFormEndpoint(event, deps);
  const body = parseBody(event);
  if (!isRecord(body.value)) {
    throw new ValidationError([{ field: '(body)', message: 'Send a JSON object or a form' }]);
  }
  const presented = linkOf(event, body.value);
  if (presented.present) return vendorReport(event, body.value, presented, deps);

  const who = await signedInOrSignIn(event, caller, '/');
  if (isResponse(who)) return who;
  if (!who) throw new AccessDeniedError('not-staff');
  requireCsrf(who, event, body.value);
  const result = await reportIncident(
    body.value,
    { via: 'sso', name: who.person.name, email: who.person.email },
    deps,
  );
  if (result.state === 'invalid') return jsonResponse(400, { errors: result.errors });
  const { incident } = result;
  return jsonResponse(201, {
    incidentId: incident.incidentId,
    resourceId: incident.resourceId,
    reportedOn: incident.reportedOn,
    clocks: incident.clocks,
  });
}

async function vendorReport(
  event: HttpEvent,
  body: Record<string, unknown>,
  presented: { linkId: string | undefined; secret: string | undefined },
  deps: IncidentEndpointDeps,
): Promise<HttpResponse> {
  const result = await reportThroughLink(presented.linkId, presented.secret, body, deps);
  const browser = wantsHtml(event);
  if (result.state === 'invalid') {
    if (!browser) return jsonResponse(400, { errors: result.errors });
    return htmlResponse(
      400,
      renderIncidentForm({
        link: result.link,
        secret: presented.secret ?? '',
        today: deps.now().toISOString().slice(0, 10),
        values: typed(body),
        errors: result.errors,
      }),
    );
  }
  const { incident } = result;
  if (browser) return htmlResponse(201, renderIncidentReported(incident));
  return jsonResponse(201, {
    incidentId: incident.incidentId,
    resourceId: incident.resourceId,
    reportedOn: incident.reportedOn,
    clocks: incident.clocks,
  });
}
