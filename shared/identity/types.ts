/**
 * Who is signed in, in the district's words: types only (implementation files import this file, never
 * the other way round).
 */
import type { Actor, Team } from '../workflow/index.ts';

export type { Actor };

/** `sso`: a signed-in member of the task's team decides; `link`: whoever holds the emailed link (today). */
export type AuthMode = 'sso' | 'link';

/** Groups that decide no task: they read every request, its audit trail and the executions view. */
export type OversightGroup = 'technology-services' | 'auditors';

/** The provider's groups the product knows: the task teams and the oversight groups. */
export type IdentityGroup = Team | OversightGroup;

/** A person as the identity provider vouched for them at sign-in. */
export interface Identity {
  /** The provider's stable subject identifier (an email address can be reassigned; this cannot). */
  sub: string;
  /** The user pool's name for the person (Cognito `cognito:username`; else the subject): the directory's key. */
  username: string;
  email: string;
  name: string;
  teams: IdentityGroup[];
}

/** A signed-in person's session, as read back from its signed cookie. */
export interface Session extends Identity {
  /** New at every sign-in, so a session id planted before sign-in is never the one signed in. */
  sessionId: string;
  /** The token every state-changing POST of this session carries (form field or header). */
  csrf: string;
  expiresAt: Date;
}

/** GET /auth/session, per docs/design.md "Identity". */
export type SessionView =
  | { signedIn: true; email: string; name: string; teams: IdentityGroup[]; csrf: string }
  | { signedIn: false; email: null; name: null; teams: []; csrf: null };

/** What the browser keeps between leaving for the provider and coming back to /auth/callback. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/** An HTTP redirect with the Set-Cookie header values that go with it. */
export interface Redirect {
  location: string;
  cookies: string[];
}
