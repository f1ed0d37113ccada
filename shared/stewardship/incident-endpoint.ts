/**
 * POST /incidents (form or JSON: resourceId, reportedOn, description, studentsAffected, dataElements[]).
 * With sign-in (AUTH_MODE=sso) anyone signed in may report (the session's CSRF token is required; a
 * bearer client needs none): the reporter is the verified person. In link mode nobody is known, so the
 * report is refused (403): vendors' incident links are not built yet (docs/design.md "Monitoring").
 * 201 with the incident id and its notice deadlines; 400 naming every bad field, nothing stored.
 */
import { ValidationError } from '../core/errors.ts';
import { isRecord } from '../core/guards.ts';
import { type HttpEvent, type HttpResponse, jsonResponse, parseBody } from '../core/http/edge.ts';
import {
  AccessDeniedError,
  type CallerDeps,
  isResponse,
  requireCsrf,
  signedInOrSignIn,
} from '../identity/index.ts';
import { type ReportIncidentDeps, reportIncident } from './incidents.ts';

export async function reportIncidentEndpoint(
  event: HttpEvent,
  deps: ReportIncidentDeps,
  caller: CallerDeps,
): Promise<HttpResponse> {
  const who = await signedInOrSignIn(event, caller, '/');
  if (isResponse(who)) return who;
  if (!who) throw new AccessDeniedError('not-staff');
  const body = parseBody(event);
  if (!isRecord(body.value)) {
    throw new ValidationError([{ field: '(body)', message: 'Send a JSON object or a form' }]);
  }
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
