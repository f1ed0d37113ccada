/**
 * GET /public: the approved resources, the student data each receives, their agreements and the data incidents, for parents and staff; no sign-in (docs/design.md "Public page").
 *
 * Env: TABLE_NAME, PUBLISH_AGREEMENTS. IAM: the table (shared/core/store/access.ts).
 */
import { publicListDeps } from '#shared/deps.ts';
import { publicListEndpoint } from '#shared/transparency/public-endpoints.ts';

const endpoint = publicListEndpoint('html', publicListDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
