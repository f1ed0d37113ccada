/**
 * What SES reports about a sent email (issue 24): an EventBridge rule on the default bus delivers the
 * configuration set's bounce, complaint, reject and delivery-delay events. A permanent bounce or a
 * complaint puts the address on the suppression list (PK=BOUNCED#<address>); each event leaves an
 * audit event (EMAIL_BOUNCED, EMAIL_COMPLAINED, EMAIL_REJECTED, EMAIL_DELAYED) on the request its
 * email's `request-id` tag names, which the request's task pages show.
 *
 * Input: the EventBridge event (source aws.ses). Output: { eventType, suppressed, audited }.
 * Env: TABLE_NAME.
 * IAM: the table (shared/core/store/access.ts).
 */
import { recordMailEvent, sesMailEventSchema } from '#shared/bounces/index.ts';
import { workflowStep } from '#shared/core/lambda.ts';
import { mailEventDeps } from '#shared/deps.ts';

// Invoked asynchronously by EventBridge: a thrown error is retried by Lambda, then kept in the
// failed-events queue (the stack's onAsyncFailure), never lost.
const step = workflowStep(sesMailEventSchema, recordMailEvent, mailEventDeps);

export const recordMailEventStep = step.run;
export const handler = step.handler;
