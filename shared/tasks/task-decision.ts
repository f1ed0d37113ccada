/**
 * POST /tasks/{taskId} at the edge: the decision submission read from the form (or JSON) post, and
 * the response for what decide() made of it (the form again with its errors, the outcome page, or
 * JSON for API clients).
 */

import { ValidationError } from '../core/errors.ts';
import { isRecord } from '../core/guards.ts';
import {
  type HttpEvent,
  type HttpResponse,
  header,
  htmlResponse,
  jsonResponse,
  parseBody,
  verifiedIdentityOf,
  wantsHtml,
} from '../core/http/edge.ts';
import { renderReplyForm, renderReplyOutcome } from './pages/reply-page.ts';
import { FOLLOW_UP_WARNING, renderTaskForm, renderTaskOutcome } from './pages/task-page.ts';
import type { DecideResult } from './task-service.ts';
import type { DecisionSubmission, LinkAudience } from './types.ts';

export interface DecisionPost {
  submission: DecisionSubmission;
  values: Record<string, unknown>;
  secret: string | undefined;
  verifiedIdentity: string | undefined;
  /** Answer with HTML (a form post, or a browser asking for it) rather than JSON. */
  asHtml: boolean;
}

/** `reply`: POST /replies/{replyId}, a question's answer; `team` (default): POST /tasks/{taskId}. */
export function readDecisionPost(event: HttpEvent, audience: LinkAudience = 'team'): DecisionPost {
  const taskId = (audience === 'reply' ? event.pathParameters?.replyId : event.pathParameters?.taskId) ?? '';
  const body = parseBody(event);
  const values = body.value;
  if (!isRecord(values)) {
    throw new ValidationError([{ field: '(body)', message: 'Send a JSON object of form fields' }]);
  }
  const rawSecret = Array.isArray(values.t) ? values.t[0] : values.t;
  const secret = typeof rawSecret === 'string' ? rawSecret : undefined;
  const verifiedIdentity = verifiedIdentityOf(event);
  const sourceIp = event.requestContext?.identity?.sourceIp;
  const userAgent = event.requestContext?.identity?.userAgent ?? header(event, 'user-agent');
  const submission: DecisionSubmission = {
    taskId,
    secret,
    values,
    ...(audience === 'reply' ? { audience } : {}),
    ...(verifiedIdentity ? { verifiedIdentity } : {}),
    ...(sourceIp ? { sourceIp } : {}),
    ...(userAgent ? { userAgent } : {}),
  };
  return { submission, values, secret, verifiedIdentity, asHtml: body.kind === 'form' || wantsHtml(event) };
}

export function decisionResponse(result: DecideResult, post: DecisionPost): HttpResponse {
  const { asHtml, secret, values, verifiedIdentity } = post;
  const reply = post.submission.audience === 'reply';
  if (result.state === 'invalid') {
    if (!asHtml) return jsonResponse(400, { errors: result.errors });
    const form = { open: result.open, secret: secret ?? '', values, errors: result.errors };
    const page = reply
      ? renderReplyForm(form)
      : renderTaskForm({ ...form, ...(verifiedIdentity ? { verifiedIdentity } : {}) });
    return htmlResponse(400, page);
  }
  const outcome = (reply ? renderReplyOutcome : renderTaskOutcome)(result, secret ? { secret } : {});
  if (asHtml) return htmlResponse(outcome.status, outcome.page);
  if (result.state === 'recorded') {
    return jsonResponse(200, {
      taskId: result.task.taskId,
      decision: result.output.decision,
      recorded: true,
      // Not a silent success: the decision counts, but a follow-up write failed after its retries.
      ...(result.incomplete ? { complete: false, warning: FOLLOW_UP_WARNING } : {}),
    });
  }
  return jsonResponse(outcome.status, {
    error: outcome.title,
    message: outcome.message,
    state: result.state,
    recorded: false,
  });
}
