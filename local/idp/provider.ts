/**
 * The local runtime's OpenID provider (oidc-provider v9), standing in for Cognito: issuer
 * `http://localhost:<PORT>/_local/idp`, the seeded users of users.ts, one public client (code flow,
 * PKCE required, no secret) whose redirect URI is the site's `/auth/callback`, and the `email`, `name`
 * and `groups` claims in the ID token. Signing keys are made at start (jose) and kept in memory, as is
 * everything else: it writes no file. It answers on loopback only.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { isLoopbackHost } from '#shared/identity/index.ts';
import { LOCAL_CLIENT_ID, LOCAL_IDP_PATH } from '../config.ts';
import { handleInteraction } from './interactions.ts';
import { memoryAdapter } from './memory-adapter.ts';
import { problemPage, writePage } from './pages.ts';
import { type LocalUser, seededUsers } from './users.ts';

const SIGNING_ALGORITHM = 'RS256';
const HOUR = 60 * 60;

export interface LocalIdpOptions {
  /** The origin the provider is reached at, e.g. `http://localhost:3000`. */
  origin: string;
  /** The site's callback, e.g. `http://localhost:3000/auth/callback`. */
  redirectUri: string;
  users?: readonly LocalUser[];
}

export interface LocalIdp {
  issuer: string;
  clientId: string;
  users: readonly LocalUser[];
  /** Answers a request whose path starts with LOCAL_IDP_PATH (mount it on the local HTTP server). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export async function createLocalIdp(options: LocalIdpOptions): Promise<LocalIdp> {
  const origin = loopbackUrl('origin', options.origin).origin;
  const redirect = loopbackUrl('redirectUri', options.redirectUri);
  const users = options.users ?? seededUsers();
  const issuer = `${origin}${LOCAL_IDP_PATH}`;
  const provider = new Provider(issuer, await configuration(users, redirect.href));
  const providerCallback = provider.callback();
  const interactionPath = new RegExp(`^${LOCAL_IDP_PATH}/interaction/([A-Za-z0-9_-]+)$`);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (!isLoopbackAddress(req.socket.remoteAddress) || !url.startsWith(`${LOCAL_IDP_PATH}/`)) {
      writePage(res, 404, problemPage('Not found', 'There is nothing here.'), redirect.origin);
      return;
    }
    const uid = interactionPath.exec(url.split('?')[0] ?? '')?.[1];
    if (uid) {
      const action = `${LOCAL_IDP_PATH}/interaction/${uid}`;
      await handleInteraction({ provider, users, action, siteOrigin: redirect.origin }, req, res);
      return;
    }
    // Mounted as Express mounts it: the provider routes on the rest of the path and builds its URLs
    // from the mount path it reads in originalUrl.
    Object.assign(req, { originalUrl: url });
    req.url = url.slice(LOCAL_IDP_PATH.length);
    await providerCallback(req, res);
  }

  return { issuer, clientId: LOCAL_CLIENT_ID, users, handle };
}

async function configuration(users: readonly LocalUser[], redirectUri: string): Promise<Configuration> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: SIGNING_ALGORITHM, use: 'sig', kid: 'local-1' };
  return {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: LOCAL_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    // The claims the scopes grant travel in the ID token, as Cognito's do (the site reads no userinfo).
    conformIdTokenClaims: false,
    // The code flow only, always with PKCE: nothing issues tokens in the browser's address bar.
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `${LOCAL_IDP_PATH}/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => accountOf(users.find((user) => user.sub === sub)),
    loadExistingGrant: grantForTheSite,
    clientBasedCORS: () => false,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = problemPage('Sign-in failed', String(out.error_description ?? out.error));
    },
    ttl: {
      AccessToken: HOUR,
      AuthorizationCode: 60,
      IdToken: HOUR,
      Interaction: HOUR,
      Session: 8 * HOUR,
      Grant: 8 * HOUR,
    },
  };
}

function accountOf(user: LocalUser | undefined) {
  if (!user) return undefined;
  const { sub, email, name, groups } = user;
  return { accountId: sub, claims: () => ({ sub, email, email_verified: true, name, groups }) };
}

/**
 * The site is the district's own client: a signed-in person is not asked to consent to it sharing
 * their address and groups with itself (oidc-provider's first-party recipe).
 */
async function grantForTheSite(ctx: KoaContextWithOIDC) {
  const { client, session, result, provider } = ctx.oidc;
  if (!client || !session?.accountId) return undefined;
  const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  if (grantId) return provider.Grant.find(grantId);
  const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope('openid email profile');
  await grant.save();
  return grant;
}

function loopbackUrl(name: string, value: string): URL {
  const url = new URL(value);
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) {
    throw new Error(
      `The local sign-in service answers on this machine only: ${name} must be http://localhost…`,
    );
  }
  return url;
}

function isLoopbackAddress(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
