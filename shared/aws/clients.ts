/**
 * One client per AWS service, created once per Lambda container. Endpoints come from the standard
 * AWS_ENDPOINT_URL_<SERVICE> variables (the local runtime sets them), so handler code has no local branch.
 * Each handler imports only the clients it uses, and esbuild drops the rest.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
