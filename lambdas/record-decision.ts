/**
 * POST /tasks/{taskId}: a human step's decision (form fields t, decision, comment, decidedBy and the
 * kind's extra fields; JSON is accepted too). The only caller of SendTaskSuccess. In order: the link
 * (404 unknown, 403 wrong secret, 409 used, 410 expired), the fields (400, form shown again), a
 * conditional single-use claim (409 on a lost race) that keeps the decision's delivery, so that the
 * recovery sweep (recover-requests) finishes it if this function dies before the end, SendTaskSuccess (410 when Step Functions already
 * stopped waiting; 503 and the claim released when it failed otherwise), then the request's facts,
 * the DECISION_RECORDED audit event and the requester's email. A licence key is stored apart and
 * never sent to Step Functions, the audit trail, an email or a log.
 *
 * Env: TABLE_NAME, MAIL_FROM, PUBLIC_BASE_URL.
 * IAM: dynamodb:GetItem, UpdateItem, PutItem, Query on the table; states:SendTaskSuccess on the
 * state machines; ses:SendEmail (MAIL_FROM identity).
 */
import { teamDecideDeps } from '#shared/deps.ts';
import { decisionEndpoint } from '#shared/tasks/link-endpoints.ts';

const endpoint = decisionEndpoint('team', teamDecideDeps);

export const recordDecision = endpoint.run;
export const handler = endpoint.handler;
