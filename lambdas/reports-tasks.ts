/**
 * GET /reports/tasks.csv?from=&to=: the decided tasks behind the figures, as CSV.
 * With sign-in, Technology Services and the auditors only.
 *
 * Env: IDENTITY_ENV, TABLE_NAME, SERVICE_LEVEL_DAYS. IAM: the table (shared/core/store/access.ts).
 */
import { reportEndpointDeps } from '#shared/deps.ts';
import { reportsTasksEndpoint } from '#shared/reports/endpoints.ts';

const endpoint = reportsTasksEndpoint(reportEndpointDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
