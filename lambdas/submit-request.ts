/**
 * POST /requests — SOP steps 1–2: validate a request (JSON or the HTML form), store it, start the
 * workflow named by the request id, and acknowledge it by email. Honours Idempotency-Key.
 *
 * With sign-in (AUTH_MODE=sso) the requester is the signed-in person (the session's CSRF token is
 * required) or the API client's bearer identity; nobody signed in is sent to sign in (401 for JSON).
 * The requester's address must be on the district's domains (400 naming requesterEmail), and each
 * requester (without sign-in: also each client address) submits at most so many an hour (429 with
 * Retry-After); either refusal changes nothing (shared/requests/limits.ts).
 *
 * Env: TABLE_NAME, STATE_MACHINE_ARN, MAIL_FROM, REQUESTER_EMAIL_DOMAINS, SUBMISSION_LIMITS,
 * IDENTITY_ENV (read on the first call, fail fast).
 * IAM: dynamodb:PutItem, GetItem, UpdateItem, Query (table); states:StartExecution (state machine);
 * ses:SendEmail.
 */
import { type FieldError, TransientError } from '#shared/core/errors.ts';
import {
  type FormValue,
  type HttpEvent,
  type HttpResponse,
  header,
  htmlResponse,
  httpHandler,
  jsonResponse,
  parseBody,
  wantsHtml,
} from '#shared/core/http/edge.ts';
import { submissionDeps } from '#shared/deps.ts';
import {
  type CallerDeps,
  callerDeps,
  isResponse,
  type KnownCaller,
  signedInOrSignIn,
} from '#shared/identity/index.ts';
import type { Submitter } from '#shared/requests/limits.ts';
import { renderRequestForm } from '#shared/requests/pages/request-form.ts';
import { requireSubmitCsrf, withRequester } from '#shared/requests/signed-in.ts';
import {
  type SubmissionDeps,
  type SubmissionResult,
  submitResourceRequest,
} from '#shared/requests/submission.ts';
import { formToRequestInput, toFormValues } from '#shared/workflow/form-input.ts';

/** Seconds to wait before submitting again when a service was briefly unavailable. */
const UNAVAILABLE_RETRY_AFTER = 5;
const NOT_NOW = { 429: 'Too Many Requests', 503: 'Service Unavailable' } as const;

/** Who the hourly limits count: the signed-in person, or else the client's address (and the body's requester). */
const submitterOf = (event: HttpEvent, who: KnownCaller | undefined): Submitter =>
  who ? { signedIn: who.person.email } : { address: event.requestContext?.identity?.sourceIp ?? undefined };

interface NotNowReply {
  asPage: boolean;
  /** The form again, with `message` as its error. */
  page: (message: string) => string;
}

/** 429 or 503 with Retry-After: the form again with the message, or JSON. */
function notNow(
  reply: NotNowReply,
  status: 429 | 503,
  message: string,
  retryAfterSeconds: number,
  json: { requestId?: string } = {},
): HttpResponse {
  const headers = { 'Retry-After': String(retryAfterSeconds) };
  return reply.asPage
    ? htmlResponse(status, reply.page(message), headers)
    : jsonResponse(status, { error: NOT_NOW[status], message, ...json }, headers);
}

const limitedMessage = (retryAfterSeconds: number): string =>
  `You have sent many requests in the last hour. Nothing was saved; please try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`;

export async function submitRequest(
  event: HttpEvent,
  deps: SubmissionDeps = submissionDeps(),
  caller: CallerDeps = callerDeps(),
): Promise<HttpResponse> {
  // With sign-in (AUTH_MODE=sso) the signed-in person is the requester, whatever the body says.
  const who = await signedInOrSignIn(event, caller, '/');
  if (isResponse(who)) return who;
  const body = parseBody(event);
  requireSubmitCsrf(event, who, body.value);
  const asPage = body.kind === 'form' || wantsHtml(event);
  const submitted = body.kind === 'form' ? formToRequestInput(body.value) : body.value;
  const input = withRequester(who, submitted);
  const signedIn = who && {
    name: who.person.name,
    email: who.person.email,
    csrf: who.kind === 'session' ? who.session.csrf : '',
  };
  const form = (options: { values: Record<string, FormValue>; errors: FieldError[] }) =>
    renderRequestForm({ ...options, ...(signedIn ? { signedIn } : {}) });
  const formValues = (): Record<string, FormValue> =>
    body.kind === 'form' ? body.value : toFormValues(body.value);
  const idempotencyKey = header(event, 'idempotency-key');
  const reply: NotNowReply = {
    asPage,
    page: (message) => form({ values: formValues(), errors: [{ field: '(service)', message }] }),
  };
  const unavailable = (message: string, json: { requestId?: string } = {}): HttpResponse =>
    notNow(reply, 503, message, UNAVAILABLE_RETRY_AFTER, json);

  let result: SubmissionResult;
  try {
    const submitter = submitterOf(event, who);
    result = await submitResourceRequest({ body: input, idempotencyKey, submitter }, deps);
  } catch (error) {
    // Nothing could be claimed or stored (e.g. DynamoDB throttling): safe to try again.
    if (!(error instanceof TransientError)) throw error;
    return unavailable(
      'The service is busy. Nothing was saved; please submit your request again in a moment.',
    );
  }

  switch (result.outcome) {
    case 'invalid':
    case 'key-reused': {
      const status = result.outcome === 'invalid' ? 400 : 422;
      if (asPage) return htmlResponse(status, form({ values: formValues(), errors: result.errors }));
      return jsonResponse(status, { errors: result.errors });
    }
    case 'limited':
      return notNow(reply, 429, limitedMessage(result.retryAfterSeconds), result.retryAfterSeconds);
    case 'incomplete': {
      const again = idempotencyKey
        ? 'submit again with the same Idempotency-Key'
        : 'submit the same request again';
      const message = result.stored
        ? `Your request ${result.requestId} is saved; ${again} to continue`
        : `Your request ${result.requestId} could not be saved just now; ${again} to continue`;
      return unavailable(message, { requestId: result.requestId });
    }
    case 'accepted': {
      if (asPage)
        return {
          statusCode: 303,
          headers: {
            Location: result.statusUrl,
            'Cache-Control': 'no-store',
            'Referrer-Policy': 'no-referrer',
          },
          body: '',
        };
      return jsonResponse(
        result.created ? 201 : 200,
        { requestId: result.requestId, status: result.status, links: { status: result.statusUrl } },
        result.created ? { Location: result.statusUrl } : {},
      );
    }
  }
}

export const handler = httpHandler((event) => submitRequest(event), {
  renderErrorPage: (view) =>
    renderRequestForm({ errors: view.errors ?? [{ field: '(service)', message: view.message }] }),
});
