/**
 * GET /tasks/{taskId}?t=<secret>: the confirmation page of a human step (what is asked, the SOP step,
 * the team, the deadline, the request's facts, and the decision form). It only reads: mail scanners
 * follow GET links. Unknown link 404, wrong secret 403, already decided 409, expired 410.
 *
 * Env: TABLE_NAME.
 * IAM: dynamodb:GetItem, Query on the table.
 */
import { taskPageDeps } from '#shared/deps.ts';
import { linkPageEndpoint } from '#shared/tasks/link-endpoints.ts';

const endpoint = linkPageEndpoint('team', taskPageDeps);

export const showTaskPage = endpoint.run;
export const handler = endpoint.handler;
