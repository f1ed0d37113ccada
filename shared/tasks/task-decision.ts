/**
 * POST /tasks/{taskId} and /replies/{replyId} at the edge: the decision submission read from the form
 * (or JSON) post, and the response for what decide() made of it (the form again with its errors, the
 * outcome page, or JSON for API clients). LINK_AUDIENCES holds what differs between the two links.
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
  wantsHtml,
} from '../core/http/edge.ts';
import { renderReplyForm, renderReplyOutcome } from './pages/reply-page.ts';
import {
  FOLLOW_UP_WARNING,
  renderTaskForm,
  renderTaskOutcome,
  type TaskFormView,
  type TaskOutcome,
} from './pages/task-page.ts';
import type { DecideResult } from './task-service.ts';
import type { DecisionSubmission, LinkAudience } from './types.ts';

/** What differs between a team's task link and a reply link: where the id is, the pages, the logs. */
export interface LinkEdge {
  idParameter: 'taskId' | 'replyId';
  /** The form (a reply's ignores `verifiedIdentity`: the requester or vendor gives a name). */
  form: (view: TaskFormView) => string;
  outcome: (
    result: Exclude<DecideResult, { state: 'invalid' }>,
    options?: { secret?: string },
  ) => TaskOutcome;
  refused: string;
  handled: string;
}

export const LINK_AUDIENCES: Record<LinkAudience, LinkEdge> = {
  team: {
    idParameter: 'taskId',
    form: renderTaskForm,
    outcome: renderTaskOutcome,
    refused: 'Task link refused',
    handled: 'Decision submission handled',
  },
  reply: {
    idParameter: 'replyId',
    form: renderReplyForm,
    outcome: renderReplyOutcome,
    refused: 'Reply link refused',
    handled: 'Answer submission handled',
  },
};

/** The task id in the path of a link of this audience ('' when missing: an unknown link). */
export const linkIdOf = (event: HttpEvent, audience: LinkAudience): string =>
  event.pathParameters?.[LINK_AUDIENCES[audience].idParameter] ?? '';

export interface DecisionPost {
  submission: DecisionSubmission;
  values: Record<string, unknown>;
  secret: string | undefined;
  /** The signed-in decider's name (AUTH_MODE=sso), set once verified. */
  verifiedIdentity?: string;
  /** The session's CSRF token, for the form shown again after an error. */
  csrf?: string;
  /** Answer with HTML (a form post, or a browser asking for it) rather than JSON. */
  asHtml: boolean;
}

/** `reply`: POST /replies/{replyId}, a question's answer; `team` (default): POST /tasks/{taskId}. */
export function readDecisionPost(event: HttpEvent, audience: LinkAudience = 'team'): DecisionPost {
  const taskId = linkIdOf(event, audience);
  const body = parseBody(event);
  const values = body.value;
  if (!isRecord(values)) {
    throw new ValidationError([{ field: '(body)', message: 'Send a JSON object of form fields' }]);
  }
  const rawSecret = Array.isArray(values.t) ? values.t[0] : values.t;
  const secret = typeof rawSecret === 'string' ? rawSecret : undefined;
  const sourceIp = event.requestContext?.identity?.sourceIp;
  const userAgent = event.requestContext?.identity?.userAgent ?? header(event, 'user-agent');
  const submission: DecisionSubmission = {
    taskId,
    secret,
    values,
    ...(audience === 'reply' ? { audience } : {}),
    ...(sourceIp ? { sourceIp } : {}),
    ...(userAgent ? { userAgent } : {}),
  };
  return { submission, values, secret, asHtml: body.kind === 'form' || wantsHtml(event) };
}

export function decisionResponse(result: DecideResult, post: DecisionPost): HttpResponse {
  const { asHtml, secret, values, verifiedIdentity, csrf } = post;
  const edge = LINK_AUDIENCES[post.submission.audience ?? 'team'];
  if (result.state === 'invalid') {
    if (!asHtml) return jsonResponse(400, { errors: result.errors });
    const form = { open: result.open, secret: secret ?? '', values, errors: result.errors };
    return htmlResponse(
      400,
      edge.form({ ...form, ...(verifiedIdentity ? { verifiedIdentity } : {}), ...(csrf ? { csrf } : {}) }),
    );
  }
  const outcome = edge.outcome(result, secret ? { secret } : {});
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
  if (result.state === 'delivery-pending') {
    // Kept on the claim for the decision sweep: a client that retried would meet "already decided".
    return jsonResponse(202, {
      taskId: result.task.taskId,
      state: result.state,
      recorded: true,
      delivered: false,
      message: outcome.message,
    });
  }
  return jsonResponse(outcome.status, {
    error: outcome.title,
    message: outcome.message,
    state: result.state,
    recorded: false,
  });
}
