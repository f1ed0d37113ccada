/**
 * Why a session or a sign-in was refused. Each error carries the HTTP status the edge answers with
 * (shared/core/http/edge.ts maps a WorkflowError's `status` below 500) and a reason tests and the audit
 * name; messages never echo a token.
 */
import { WorkflowError } from '../core/errors.ts';

/** Why a signed value (session or pending-login cookie) was not accepted. */
export type TokenRejection = 'missing' | 'expired' | 'forged' | 'foreign' | 'malformed';

const SESSION_MESSAGES: Record<TokenRejection, string> = {
  missing: 'You are not signed in.',
  expired: 'Your session has ended; please sign in again.',
  forged: 'Your session could not be verified; please sign in again.',
  foreign: 'Your session was not issued by this site; please sign in again.',
  malformed: 'Your session could not be read; please sign in again.',
};

/** A refusal with its reason, told to the person in the message for that reason. */
abstract class RefusalError<Reason extends string> extends WorkflowError {
  abstract readonly status: number;
  readonly reason: Reason;
  constructor(reason: Reason, messages: Record<Reason, string>, options?: { cause?: unknown }) {
    super(messages[reason], options);
    this.reason = reason;
  }
}

/** No valid session: the person signs in (again). */
export class SessionRejectedError extends RefusalError<TokenRejection> {
  override name = 'SessionRejectedError';
  readonly status = 401;
  readonly title = 'Please sign in';
  constructor(reason: TokenRejection, options?: { cause?: unknown }) {
    super(reason, SESSION_MESSAGES, options);
  }
}

/** Why a sign-in did not complete. */
export type LoginRejection =
  | 'no-pending-login'
  | 'pending-expired'
  | 'state-mismatch'
  | 'provider-refused'
  | 'token-rejected'
  | 'claims';

const LOGIN_MESSAGES: Record<LoginRejection, string> = {
  'no-pending-login': 'This sign-in was not started here, or it was already used; please sign in again.',
  'pending-expired': 'This sign-in took too long; please sign in again.',
  'state-mismatch': 'This sign-in answer does not belong to the sign-in started here; please sign in again.',
  'provider-refused': 'The sign-in service did not sign you in.',
  'token-rejected': 'The sign-in service answer could not be verified; please sign in again.',
  claims: 'The sign-in service did not say who you are (subject and email are required).',
};

/** The callback was refused: nothing was signed in. */
export class LoginRejectedError extends RefusalError<LoginRejection> {
  override name = 'LoginRejectedError';
  readonly status = 400;
  readonly title = 'Sign-in did not complete';
  constructor(reason: LoginRejection, options?: { cause?: unknown }) {
    super(reason, LOGIN_MESSAGES, options);
  }
}

/** Why a signed-in person may not do what they asked. */
export type AccessDenial = 'csrf' | 'not-in-team' | 'not-oversight' | 'not-yours' | 'not-staff';

const ACCESS_MESSAGES: Record<AccessDenial, string> = {
  csrf: 'This form is out of date or did not come from this site; reload the page and try again.',
  'not-in-team': 'This task belongs to another team: only its members can see and decide it.',
  'not-oversight': 'Only Technology Services and the auditors can see this page.',
  'not-staff':
    "Only the district's review teams, Technology Services and the auditors can open the request's documents.",
  'not-yours':
    'Only the person who made this request, the review teams, Technology Services and the auditors can see it.',
};

/** Signed in, but not allowed: nothing was read or changed. */
export class AccessDeniedError extends RefusalError<AccessDenial> {
  override name = 'AccessDeniedError';
  readonly status = 403;
  readonly title = 'Not allowed';
  constructor(reason: AccessDenial, options?: { cause?: unknown }) {
    super(reason, ACCESS_MESSAGES, options);
  }
}
