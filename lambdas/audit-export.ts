/**
 * GET /audit/export.csv?from=YYYY-MM-DD&to=YYYY-MM-DD: the decisions of a period (at most 366 days) as CSV. Technology Services and the auditors only (AUTH_MODE=sso); 404 in link mode.
 *
 * Env: IDENTITY_ENV, TABLE_NAME. IAM: the table (shared/core/store/access.ts); the session key.
 */

import { auditExportDeps } from '#shared/deps.ts';
import { auditExportEndpoint } from '#shared/transparency/endpoints.ts';

const endpoint = auditExportEndpoint(auditExportDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
