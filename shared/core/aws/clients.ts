/**
 * Every AWS client of the product, one per service, created once per Lambda container. Endpoints come
 * from the standard AWS_ENDPOINT_URL_<SERVICE> variables (the local runtime sets them), so handler code
 * has no local branch. Each client is marked pure: a bundle keeps only the clients its handler uses
 * (esbuild drops the rest, and with them their SDK packages).
 *
 * Every client has timeouts (client-timeouts.ts): without them a hung connection waits for the Lambda
 * timeout, and a route answers API Gateway's raw 504 at 29 s instead of the handler's own error.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CLIENT_TIMEOUTS } from './client-timeouts.ts';

const config = { requestHandler: CLIENT_TIMEOUTS } as const;

export const dynamoDb = /* @__PURE__ */ DynamoDBDocumentClient.from(
  /* @__PURE__ */ new DynamoDBClient(config),
  {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  },
);
export const ses = /* @__PURE__ */ new SESClient(config);
export const sfn = /* @__PURE__ */ new SFNClient(config);
export const eventBridge = /* @__PURE__ */ new EventBridgeClient(config);
export const scheduler = /* @__PURE__ */ new SchedulerClient(config);
export const secretsManager = /* @__PURE__ */ new SecretsManagerClient(config);
export const cognito = /* @__PURE__ */ new CognitoIdentityProviderClient(config);
/**
 * Path-style addressing (`<endpoint>/<bucket>/<key>`): the local stand-in answers on one host through
 * AWS_ENDPOINT_URL_S3, and S3 serves path-style on AWS too, so handlers have one URL form everywhere.
 */
export const s3 = /* @__PURE__ */ new S3Client({ requestHandler: CLIENT_TIMEOUTS, forcePathStyle: true });
