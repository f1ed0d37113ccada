/**
 * GET /public.csv: the public list of approved resources as CSV; no sign-in.
 *
 * Env: TABLE_NAME, PUBLISH_AGREEMENTS. IAM: the table (shared/core/store/access.ts).
 */
import { publicListDeps } from '#shared/deps.ts';
import { publicListEndpoint } from '#shared/transparency/public-endpoints.ts';

const endpoint = publicListEndpoint('csv', publicListDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
