/**
 * The pages and routes of signed-in people ask the same first question: who is asking, and if nobody,
 * where to send them. A browser (it asks for HTML) goes to sign in and back to `returnTo`; an API
 * client gets 401. In link mode nobody signs in: undefined, and the route decides what that means.
 */
import { type HttpEvent, type HttpResponse, wantsHtml } from '../core/http/edge.ts';
import { redirect } from './auth-endpoints.ts';
import { callerOf, type KnownCaller } from './caller.ts';
import type { CallerDeps } from './deps.ts';
import { AccessDeniedError, SessionRejectedError } from './errors.ts';
import { OVERSIGHT_GROUPS } from './groups.ts';
import { loginPath } from './return-to.ts';

export async function signedInOrSignIn(
  event: HttpEvent,
  caller: CallerDeps,
  returnTo: string,
): Promise<KnownCaller | HttpResponse | undefined> {
  if (caller.mode === 'link') return undefined;
  const who = await callerOf(event, caller);
  if (who.kind !== 'nobody') return who;
  if (wantsHtml(event)) return redirect(event, loginPath(returnTo));
  throw new SessionRejectedError('missing');
}

/** The answer signedInOrSignIn gave instead of a caller. */
export const isResponse = (value: unknown): value is HttpResponse =>
  typeof value === 'object' && value !== null && 'statusCode' in value;

/**
 * The routes of Technology Services and the auditors (reports, audit record): the caller when signed
 * in as one of them, the sign-in answer when nobody is, AccessDeniedError for anyone else; undefined
 * in link mode, where the route decides.
 */
export async function signedInOversight(
  event: HttpEvent,
  caller: CallerDeps,
): Promise<KnownCaller | HttpResponse | undefined> {
  const who = await signedInOrSignIn(event, caller, event.path);
  if (!who || isResponse(who)) return who;
  if (!who.person.teams.some((team) => OVERSIGHT_GROUPS.some((g) => g === team))) {
    throw new AccessDeniedError('not-oversight');
  }
  return who;
}
