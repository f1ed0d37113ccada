/**
 * GET /requests/{requestId}/audit.html: the same audit record as a printable page. Technology Services and the auditors only (AUTH_MODE=sso); 404 in link mode.
 *
 * Env: IDENTITY_ENV, TABLE_NAME. IAM: the table (shared/core/store/access.ts); the session key.
 */

import { auditEndpointDeps } from '#shared/deps.ts';
import { auditPageEndpoint } from '#shared/transparency/endpoints.ts';

const endpoint = auditPageEndpoint(auditEndpointDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
