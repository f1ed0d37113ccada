/**
 * What signing in needs (the `sso` settings, the clock and the OpenID client), and what the edge needs
 * to know who is asking (CallerDeps). Built once per container from the environment: the session key
 * is fetched from Secrets Manager on first use (again after a failure), discovery is then cached with
 * the client. Tests pass their own.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cognito, secretsManager } from '../core/aws/clients.ts';
import { type Env, requireEnv } from '../core/env.ts';
import { ConfigError } from '../core/errors.ts';
import { once } from '../core/once.ts';
import { loadSsoConfig, readAuthMode, type SsoConfig } from './config.ts';
import { cognitoDirectory, type TeamDirectory } from './directory.ts';
import { type OidcClient, type OidcClientOptions, openIdClient } from './oidc.ts';

export interface IdentityDeps {
  config: SsoConfig;
  now: () => Date;
  oidc: OidcClient;
}

export function identityDeps(
  config: SsoConfig,
  options: OidcClientOptions & { now?: () => Date } = {},
): IdentityDeps {
  return { config, now: options.now ?? (() => new Date()), oidc: openIdClient(config, options) };
}

/** What the edge needs to know who is asking: the mode, and in `sso` mode the sign-in and directory. */
export type CallerDeps =
  | { mode: 'link' }
  | { mode: 'sso'; signIn: () => Promise<IdentityDeps>; directory: TeamDirectory };

/** The deployed CallerDeps of `env`: link mode, or sign-in with the pool's directory. */
export function callerDepsFor(env: Env, secrets: SecretsManagerClient = secretsManager): CallerDeps {
  if (readAuthMode(env) === 'link') return { mode: 'link' };
  const directory = cognitoDirectory(cognito, requireEnv('USER_POOL_ID', env));
  let loading: Promise<IdentityDeps> | undefined;
  const signIn = () => {
    loading ??= loadSsoConfig(env, (arn) => secretString(secrets, arn)).then(
      (config) => identityDeps(config),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  return { mode: 'sso', signIn, directory };
}

/** What the handlers that know who is asking use, from process.env on first call. */
export const callerDeps = /* @__PURE__ */ once(() => callerDepsFor(process.env));

async function secretString(client: SecretsManagerClient, secretArn: string): Promise<string> {
  const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!answer.SecretString) throw new ConfigError(`The secret ${secretArn} holds no text`);
  return answer.SecretString;
}
