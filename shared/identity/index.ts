/**
 * Signed-in people (issue 19): who is signed in, how they sign in with OpenID Connect, and the checks
 * every state-changing request makes. What other features, handlers and the local runtime may use.
 */

export {
  callbackEndpoint,
  loginEndpoint,
  logoutEndpoint,
  redirect,
  sessionEndpoint,
} from './auth-endpoints.ts';
export {
  actorOf,
  type Caller,
  type CallerDeps,
  callerOf,
  type KnownCaller,
  requireCsrf,
  requireMemberNow,
  ssoDeps,
} from './caller.ts';
export { identityFromClaims, teamsFromClaims } from './claims.ts';
export {
  CALLBACK_PATH,
  type IdentityConfig,
  isLoopbackHost,
  readAuthMode,
  readIdentityConfig,
  readSsoConfig,
  type SsoConfig,
} from './config.ts';
export { CSRF_FIELD, CSRF_HEADER, checkCsrf } from './csrf.ts';
export { callerDeps, callerDepsFor, type IdentityDeps, identityDeps } from './deps.ts';
export { cognitoDirectory, type TeamDirectory } from './directory.ts';
export {
  type AccessDenial,
  AccessDeniedError,
  LoginRejectedError,
  type LoginRejection,
  SessionRejectedError,
  type TokenRejection,
} from './errors.ts';
export { GROUP_LABELS, IDENTITY_GROUPS, isIdentityGroup, OVERSIGHT_GROUPS } from './groups.ts';
export { type CallbackQuery, finishLogin, startLogin } from './login.ts';
export { type OidcClient, SCOPES } from './oidc.ts';
export { type Away, PeopleStore, type PersonRecord, workGoesTo } from './people.ts';
export { LOGIN_PATH, loginPath, safeReturnTo } from './return-to.ts';
export { optionalSession, readSession, SESSION_COOKIE, type SessionDeps } from './session.ts';
export { logout, SIGNED_OUT, sessionView } from './session-view.ts';
export { isResponse, signedInOrSignIn, signedInOversight } from './sign-in-gate.ts';
export type {
  Actor,
  AuthMode,
  Identity,
  IdentityGroup,
  OversightGroup,
  PendingLogin,
  Redirect,
  Session,
  SessionView,
} from './types.ts';
