/**
 * The identity side of AWS, locally: Secrets Manager's GetSecretValue for the session key (made once
 * per data folder and kept there, so sessions survive a restart) and Cognito's AdminListGroupsForUser
 * over the local provider's people (local/idp/users.ts), whose groups a test may change.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { fieldOf } from '#shared/core/guards.ts';
import { LOCAL_USER_POOL_ID, SESSION_SECRET_ARN } from '../config.ts';
import type { SimpleRequest, SimpleResponse } from '../http-types.ts';
import type { LocalUser } from '../idp/users.ts';
import { readJsonFile, writeJsonFile } from '../json-file.ts';
import { AwsApiError, awsJson, awsJsonError, awsJsonOperation } from './protocol.ts';

export class IdentityStandIn {
  readonly #secretFile: string;

  constructor(
    dataDir: string,
    private readonly users: readonly LocalUser[],
  ) {
    this.#secretFile = join(dataDir, 'session-secret.json');
  }

  handle(request: SimpleRequest): SimpleResponse | undefined {
    const secrets = awsJsonOperation(request.headers, 'secretsmanager');
    const cognito = awsJsonOperation(request.headers, 'AWSCognitoIdentityProviderService');
    if (secrets === undefined && cognito === undefined) return undefined;
    try {
      const input: unknown = JSON.parse(request.body || '{}');
      if (secrets === 'GetSecretValue') return awsJson(200, this.getSecretValue(input), undefined, '1.1');
      if (cognito === 'AdminListGroupsForUser') return awsJson(200, this.listGroups(input), undefined, '1.1');
      throw new AwsApiError('UnknownOperationException', `${secrets ?? cognito} is not supported locally`);
    } catch (error) {
      const known =
        error instanceof AwsApiError ? error : new AwsApiError('SerializationException', 'Bad request');
      return awsJsonError(known, '1.1');
    }
  }

  /** The session key (hex), made on first use and kept in the data folder. */
  sessionSecret(): string {
    let secret = readJsonFile(this.#secretFile, z.string(), undefined);
    if (secret === undefined) {
      secret = randomBytes(32).toString('hex');
      writeJsonFile(this.#secretFile, secret);
    }
    return secret;
  }

  private getSecretValue(input: unknown) {
    if (fieldOf(input, 'SecretId') !== SESSION_SECRET_ARN) {
      throw new AwsApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    return { ARN: SESSION_SECRET_ARN, Name: 'software-request-session', SecretString: this.sessionSecret() };
  }

  private listGroups(input: unknown) {
    if (fieldOf(input, 'UserPoolId') !== LOCAL_USER_POOL_ID) {
      throw new AwsApiError('ResourceNotFoundException', 'User pool does not exist.');
    }
    const username = fieldOf(input, 'Username');
    const user = this.users.find((u) => u.sub === username);
    if (!user) throw new AwsApiError('UserNotFoundException', 'User does not exist.');
    return { Groups: user.groups.map((GroupName) => ({ GroupName, UserPoolId: LOCAL_USER_POOL_ID })) };
  }
}
