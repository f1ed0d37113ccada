/**
 * The provider's one interaction: who is signing in. GET shows the form; POST takes the address and
 * hands the provider its answer (the provider then issues the code and sends the browser back to the
 * site). Consent needs no page: the site is the district's own client (provider.ts grants it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { text } from 'node:stream/consumers';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { problemPage, signInPage, writePage } from './pages.ts';
import { findSeededUser, type LocalUser } from './users.ts';

/** A sign-in form holds one address: anything bigger is not one. */
const MAX_FORM_BYTES = 4096;

export interface InteractionContext {
  provider: Provider;
  users: readonly LocalUser[];
  /** This interaction's page (the form posts back to it, where the interaction cookie is sent). */
  action: string;
  /** Where the provider may redirect the posted form (the site's origin), for the page's CSP. */
  siteOrigin: string;
}

export async function handleInteraction(
  context: InteractionContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { provider, users, action, siteOrigin } = context;
  const interaction = await findInteraction(provider, req, res);
  if (interaction?.prompt.name !== 'login') {
    const message = 'This sign-in has ended or was not started here. Go back to the site and sign in again.';
    writePage(res, 400, problemPage('Sign-in expired', message), siteOrigin);
    return;
  }
  if (req.method !== 'POST') {
    writePage(res, 200, signInPage({ action, users }), siteOrigin);
    return;
  }
  const email = await postedEmail(req);
  const user = email ? findSeededUser(users, email) : undefined;
  if (!user) {
    const problem = 'No local user has that address: type one of the addresses listed below.';
    writePage(res, 400, signInPage({ action, users, problem }), siteOrigin);
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.sub } },
    { mergeWithLastSubmission: false },
  );
}

async function findInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse) {
  try {
    return await provider.interactionDetails(req, res);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) return undefined;
    throw error;
  }
}

async function postedEmail(req: IncomingMessage): Promise<string | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) return undefined;
  const body = await text(req);
  if (body.length > MAX_FORM_BYTES) return undefined;
  return new URLSearchParams(body).get('email')?.trim() || undefined;
}
