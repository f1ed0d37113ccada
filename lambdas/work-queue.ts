/**
 * GET /queue: the pending tasks of the signed-in person's teams (HTML, or JSON `{ tasks }`), who has
 * taken each, and the out-of-office form.
 *
 * Env: IDENTITY_ENV, TABLE_NAME. IAM: the table (shared/core/store/access.ts), the session key, the
 * user pool's AdminListGroupsForUser.
 */
import { queueDeps } from '#shared/deps.ts';
import { queuePageEndpoint } from '#shared/tasks/queue-endpoints.ts';

const endpoint = queuePageEndpoint(queueDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
