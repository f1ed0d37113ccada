/**
 * The audit routes: GET /requests/{id}/audit (JSON), /requests/{id}/audit.html (printable) and
 * /audit/export.csv. They carry every comment, name and document of a request, so they need sign-in
 * (AUTH_MODE=sso) and are read by Technology Services and the auditors only; in link mode, where
 * nobody signs in, they answer 404 and auditors read executions in the Step Functions console.
 */
import { NotFoundError } from '../core/errors.ts';
import { errorPage } from '../core/html/layout.ts';
import {
  csvResponse,
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  httpHandler,
  jsonResponse,
} from '../core/http/edge.ts';
import { type CallerDeps, isResponse, signedInOversight } from '../identity/index.ts';
import { type ExportDeps, exportDecisions } from './audit-export.ts';
import { type AuditDeps, readAuditRecord } from './audit-record.ts';
import { renderAuditPage } from './pages/audit-page.ts';

async function oversightOnly(event: HttpEvent, caller: CallerDeps): Promise<HttpResponse | undefined> {
  const who = await signedInOversight(event, caller);
  if (!who) throw new NotFoundError('The audit record needs sign-in: this site runs with AUTH_MODE=link.');
  return isResponse(who) ? who : undefined;
}

function endpoint<D extends { caller: CallerDeps }>(
  defaultDeps: () => D,
  respond: (event: HttpEvent, deps: D) => Promise<HttpResponse>,
) {
  const run = async (event: HttpEvent, deps: D = defaultDeps()) =>
    (await oversightOnly(event, deps.caller)) ?? respond(event, deps);
  return { run, handler: httpHandler((event) => run(event), { renderErrorPage: errorPage }) };
}

export type AuditEndpointDeps = AuditDeps & { caller: CallerDeps };
export type AuditExportDeps = ExportDeps & { caller: CallerDeps };

const requestIdOf = (event: HttpEvent) => event.pathParameters?.requestId ?? '';

export const auditJsonEndpoint = (deps: () => AuditEndpointDeps) =>
  endpoint(deps, async (event, d) => jsonResponse(200, await readAuditRecord(requestIdOf(event), d)));

export const auditPageEndpoint = (deps: () => AuditEndpointDeps) =>
  endpoint(deps, async (event, d) =>
    htmlResponse(200, renderAuditPage(await readAuditRecord(requestIdOf(event), d))),
  );

export const auditExportEndpoint = (deps: () => AuditExportDeps) =>
  endpoint(deps, async (event, d) => {
    const q = event.queryStringParameters ?? {};
    const out = await exportDecisions({ from: q.from ?? undefined, to: q.to ?? undefined }, d);
    return csvResponse(out.csv, `decisions-${out.from}-to-${out.to}.csv`);
  });
