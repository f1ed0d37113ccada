/**
 * GET /requests/{requestId}/audit: a request's complete audit record as JSON (docs/design.md "Evidence"): every event with its actor, decision, comment, question and answer, the evidence with SHA-256 fingerprints, the SSL grades per host. Technology Services and the auditors only (AUTH_MODE=sso); 404 in link mode.
 *
 * Env: IDENTITY_ENV, TABLE_NAME. IAM: the table (shared/core/store/access.ts); the session key.
 */

import { auditEndpointDeps } from '#shared/deps.ts';
import { auditJsonEndpoint } from '#shared/transparency/endpoints.ts';

const endpoint = auditJsonEndpoint(auditEndpointDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
