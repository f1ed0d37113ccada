/**
 * POST /replies/{replyId}: the requester's or vendor's answer to a review's question (form fields t,
 * decision=answered, answer, decidedBy). The same single-use path as record-decision (link check,
 * validation, conditional claim, SendTaskSuccess, then the audit event), on reply links only; the
 * answer joins the audit trail and the asking step gets a new task link showing it. A reply link whose
 * wait is over (the review went on without the answer) answers 410 before any claim, writing nothing.
 *
 * Env: TABLE_NAME, MAIL_FROM, PUBLIC_BASE_URL.
 * IAM: dynamodb:GetItem, UpdateItem, PutItem, Query on the table; states:SendTaskSuccess on the
 * software-request state machine.
 */
import { replyDecideDeps } from '#shared/deps.ts';
import { decisionEndpoint } from '#shared/tasks/link-endpoints.ts';

const endpoint = decisionEndpoint('reply', replyDecideDeps);

export const recordAnswer = endpoint.run;
export const handler = endpoint.handler;
