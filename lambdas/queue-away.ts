/**
 * POST /queue/away: out of office, my tasks go to a teammate until a date (or, with \`clear\`, I am
 * back).
 *
 * Env: IDENTITY_ENV, TABLE_NAME. IAM: the table (shared/core/store/access.ts), the session key, the
 * user pool's AdminListGroupsForUser.
 */
import { queueDeps } from '#shared/deps.ts';
import { awayEndpoint } from '#shared/tasks/queue-endpoints.ts';

const endpoint = awayEndpoint(queueDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
