/**
 * POST /queue/{taskId}/{claim|release|assign}: take a task of my team, give it back, or assign it to
 * a teammate (who must be in the team now).
 *
 * Env: IDENTITY_ENV, TABLE_NAME. IAM: the table (shared/core/store/access.ts), the session key, the
 * user pool's AdminListGroupsForUser.
 */
import { queueDeps } from '#shared/deps.ts';
import { queueMoveEndpoint } from '#shared/tasks/queue-endpoints.ts';

const endpoint = queueMoveEndpoint(queueDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
