/**
 * GET /reports?from=&to=: how the procedure is doing (charts as inline SVG, the figures in tables).
 * With sign-in, Technology Services and the auditors only.
 *
 * Env: IDENTITY_ENV, TABLE_NAME, SERVICE_LEVEL_DAYS. IAM: the table (shared/core/store/access.ts).
 */
import { reportEndpointDeps } from '#shared/deps.ts';
import { reportsPageEndpoint } from '#shared/reports/endpoints.ts';

const endpoint = reportsPageEndpoint(reportEndpointDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
