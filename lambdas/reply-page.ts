/**
 * GET /replies/{replyId}?t=<secret>: the page of a question a review asked the requester or the
 * vendor (SOP 4 "work with the vendor to answer questions as needed"): the question and a form for
 * the answer. Same link rules as task-page: it only reads; unknown 404, wrong secret 403, already
 * answered 409, expired 410 (also once the workflow stopped waiting for the answer and the review went
 * on without it: shared/tasks/reply-links.ts). A team's task link does not open here, nor a reply
 * link there.
 *
 * Env: TABLE_NAME.
 * IAM: dynamodb:GetItem, Query on the table.
 */
import { replyPageDeps } from '#shared/deps.ts';
import { linkPageEndpoint } from '#shared/tasks/link-endpoints.ts';

const endpoint = linkPageEndpoint('reply', replyPageDeps);

export const showReplyPage = endpoint.run;
export const handler = endpoint.handler;
