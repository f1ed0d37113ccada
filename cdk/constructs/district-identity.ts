/**
 * Signed-in people (shared/identity): a Cognito user pool with its groups (the teams, Technology
 * Services and the auditors), the managed sign-in domain, the site's app client (authorization code
 * flow with PKCE, a public client: no secret to keep), optionally the district's own sign-in (Google
 * Workspace or Entra ID, by OIDC or SAML), and the Secrets Manager secret that signs the site's
 * session cookies. The handlers verify everything themselves (shared/identity/caller.ts).
 */
import { Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  Mfa,
  OAuthScope,
  ProviderAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
} from 'aws-cdk-lib/aws-cognito';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GROUP_LABELS, IDENTITY_GROUPS } from '#shared/identity/groups.ts';
import type { IdentityConfig } from '../config.ts';

export interface DistrictIdentityProps {
  config: IdentityConfig;
  /** The site's address (emailed links, the sign-in callback), without a trailing slash. */
  publicBaseUrl: string;
}

export class DistrictIdentity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly sessionSecret: Secret;
  readonly authMode: 'sso' | 'link';

  constructor(scope: Construct, id: string, props: DistrictIdentityProps) {
    super(scope, id);
    this.authMode = props.config.authMode;
    this.userPool = new UserPool(this, 'People', {
      // People are added by the district (or come from its SSO): nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      // The people and their groups are who decided what: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of IDENTITY_GROUPS) {
      new CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: GROUP_LABELS[group],
      });
    }
    const federated = this.federate(props.config.federation);
    this.domain = this.userPool.addDomain('SignIn', {
      cognitoDomain: {
        domainPrefix: props.config.domainPrefix ?? `software-requests-${Stack.of(this).account}`,
      },
    });
    this.client = this.userPool.addClient('Site', {
      // A public client: the code flow with PKCE, no client secret (the handlers keep none).
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.publicBaseUrl}/auth/callback`],
        logoutUrls: [`${props.publicBaseUrl}/`],
      },
      supportedIdentityProviders: [
        UserPoolClientIdentityProvider.COGNITO,
        ...(federated ? [UserPoolClientIdentityProvider.custom(federated.providerName)] : []),
      ],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
    });
    if (federated) this.client.node.addDependency(federated);
    this.sessionSecret = new Secret(this, 'SessionKey', {
      description: "Signs the request site's session cookies (HS256). Replacing it signs everyone out.",
      // 64 letters and digits: read as base64 by shared/identity/config.ts, 48 bytes (at least 32 needed).
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    this.acknowledge();
  }

  /** The OIDC issuer of the pool, as the handlers discover it. */
  get issuer(): string {
    return this.userPool.userPoolProviderUrl;
  }

  private federate(federation: IdentityConfig['federation']) {
    if (!federation) return undefined;
    if (federation.type === 'oidc') {
      return new UserPoolIdentityProviderOidc(this, 'DistrictOidc', {
        userPool: this.userPool,
        name: federation.name,
        clientId: federation.clientId,
        // A dynamic reference ({{resolve:secretsmanager:…}}): CloudFormation reads the secret at deploy
        // time; the template and the synthesized files never hold it.
        clientSecret: SecretValue.secretsManager(federation.clientSecretName).unsafeUnwrap(),
        issuerUrl: federation.issuer,
        scopes: ['openid', 'email', 'profile'],
        attributeMapping: {
          email: ProviderAttribute.other('email'),
          fullname: ProviderAttribute.other('name'),
        },
      });
    }
    return new UserPoolIdentityProviderSaml(this, 'DistrictSaml', {
      userPool: this.userPool,
      name: federation.name,
      metadata: UserPoolIdentityProviderSamlMetadata.url(federation.metadataUrl),
      attributeMapping: {
        email: ProviderAttribute.other('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'),
        fullname: ProviderAttribute.other('http://schemas.microsoft.com/identity/claims/displayname'),
      },
    });
  }

  private acknowledge(): void {
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        "MFA is optional in the pool because district staff sign in through the district's own identity provider (Google Workspace or Entra ID), which enforces its MFA policy; people kept in the pool itself (a district without SSO) can add a one-time-password second factor.",
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        "The Essentials feature plan (the default) is enough: sign-in is federated to the district's identity provider; the Plus plan's threat protection would be billed per active user for checks the district's provider already makes.",
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason:
        "Threat protection (advanced security, the Plus feature plan) is not enabled: sign-in is federated to the district's identity provider, which runs its own risk checks; enable it in the console if staff sign in with pool passwords.",
    });
    Validations.of(this.sessionSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The session key has no automatic rotation: replacing it signs every person out (sessions last 8 hours). Rotate it by hand after a suspected leak (docs/deploy.md).',
    });
  }
}
