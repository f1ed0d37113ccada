/**
 * GET /reports/summary.json?from=&to=: the reports' figures as JSON.
 * With sign-in, Technology Services and the auditors only.
 *
 * Env: IDENTITY_ENV, TABLE_NAME, SERVICE_LEVEL_DAYS. IAM: the table (shared/core/store/access.ts).
 */
import { reportEndpointDeps } from '#shared/deps.ts';
import { reportsSummaryEndpoint } from '#shared/reports/endpoints.ts';

const endpoint = reportsSummaryEndpoint(reportEndpointDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
