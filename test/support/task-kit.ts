/**
 * Shared Prepare helpers for the human-step tests (assign-task, task-page, record-decision): the
 * mocked AWS clients, a stored request and task, API Gateway events, and "what was written" queries.
 */

import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { HttpEvent } from '#shared/core/http/edge.ts';
import { logger } from '#shared/core/logger.ts';
import { requestKey, taskKey } from '#shared/core/store/keys.ts';
import { hashSecret } from '#shared/tasks/task-links.ts';
import type { AuditEvent, RequestRecord, TaskRecord } from '#shared/workflow/records.ts';
import postEvent from '../events/record-decision-post-form.json' with { type: 'json' };
import getEvent from '../events/task-page-get.json' with { type: 'json' };
import requestFixture from '../events/task-request-record.json' with { type: 'json' };

export const ddb = mockClient(DynamoDBDocumentClient);
export const sfnMock = mockClient(SFNClient);
export const sesMock = mockClient(SESClient);

export const NOW = new Date('2026-11-28T10:00:00.000Z');
export const BASE = 'https://requests.district.example';
export { TEAM_EMAILS } from './team-emails.ts';
export const TABLE = 'software-requests';
export const TASK_ID = 'TaskId0000000000000001';
/** A link secret as newTaskSecret makes it (43 base64url characters). */
export const SECRET = 'Zm9yZ2VkLXNlY3JldC1mb3ItdGVzdHMtb25seS0wMDA';
export const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAfake-task-token-from-step-functions==';
export const REQUEST_ID = requestFixture.requestId;

export function requestRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return { ...structuredClone(requestFixture as RequestRecord), ...overrides };
}

export function taskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId: TASK_ID,
    requestId: REQUEST_ID,
    kind: 'technical-review',
    team: 'dii',
    sopStep: 10,
    taskToken: TOKEN,
    secretHash: hashSecret(SECRET),
    status: 'PENDING',
    createdAt: '2026-11-27T10:00:00.000Z',
    expiresAt: '2026-12-11T10:00:00.000Z',
    executionId: 'arn:aws:states:us-west-2:123456789012:execution:software-request:SR-20261128-TASK0001',
    ...overrides,
  };
}

/** Resets the mocks: the table holds this request (and task), writes succeed, SES and SFN answer. */
export function givenTable(options: {
  request?: RequestRecord | null;
  task?: TaskRecord | null;
  audit?: AuditEvent[];
}) {
  ddb.reset();
  sfnMock.reset();
  sesMock.reset();
  const request = options.request === undefined ? requestRecord() : options.request;
  const task = options.task === undefined ? taskRecord() : options.task;
  ddb.on(GetCommand).resolves({});
  if (request) {
    ddb
      .on(GetCommand, { Key: requestKey(request.requestId) })
      .resolves({ Item: { ...requestKey(request.requestId), entity: 'request', ...request } });
  }
  if (task) {
    ddb
      .on(GetCommand, { Key: taskKey(task.taskId) })
      .resolves({ Item: { ...taskKey(task.taskId), entity: 'task', ...task } });
  }
  ddb.on(QueryCommand).resolves({ Items: options.audit ?? [] });
  // The suppression list the mailer asks before each send (shared/bounces): nobody on it.
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'msg-1' });
}

/** Every write the code sent to DynamoDB (a GET link and every refusal must leave this empty). */
export function writes() {
  return [
    ...ddb.commandCalls(PutCommand),
    ...ddb.commandCalls(UpdateCommand),
    ...ddb.commandCalls(DeleteCommand),
  ].map((c) => c.args[0].input);
}

export function auditItems(type?: string): Record<string, unknown>[] {
  return ddb
    .commandCalls(PutCommand)
    .map((c) => c.args[0].input.Item as Record<string, unknown>)
    .filter((i) => i.entity === 'audit' && (type === undefined || i.type === type));
}

export function sentEmails() {
  return sesMock.commandCalls(SendEmailCommand).map((c) => {
    const m = c.args[0].input;
    return {
      to: m.Destination?.ToAddresses ?? [],
      cc: m.Destination?.CcAddresses ?? [],
      subject: m.Message?.Subject?.Data ?? '',
      text: m.Message?.Body?.Text?.Data ?? '',
      html: m.Message?.Body?.Html?.Data ?? '',
    };
  });
}

/** A browser's GET of `path` (no path parameters, no query), as API Gateway gives it. */
export function httpGet(path: string, headers: Record<string, string> = {}): HttpEvent {
  const event = structuredClone(getEvent) as unknown as HttpEvent;
  event.path = path;
  event.resource = path;
  event.pathParameters = null;
  event.queryStringParameters = null;
  event.headers = { ...event.headers, ...headers };
  return event;
}

export function getTaskEvent(
  options: { taskId?: string; t?: string | null; cookie?: string } = {},
): HttpEvent {
  const event = structuredClone(getEvent) as unknown as HttpEvent;
  const taskId = options.taskId ?? TASK_ID;
  event.pathParameters = { taskId };
  event.queryStringParameters = options.t === null ? null : { t: options.t ?? SECRET };
  if (options.cookie) event.headers = { ...event.headers, cookie: options.cookie };
  event.path = `/tasks/${taskId}`;
  return event;
}

export function postTaskEvent(
  fields: Record<string, string>,
  options: { taskId?: string; json?: boolean; cookie?: string; accept?: string } = {},
): HttpEvent {
  const event = structuredClone(postEvent) as unknown as HttpEvent;
  const taskId = options.taskId ?? TASK_ID;
  event.pathParameters = { taskId };
  if (options.json) {
    event.headers = { 'Content-Type': 'application/json', Accept: options.accept ?? 'application/json' };
    event.body = JSON.stringify(fields);
  } else {
    event.body = new URLSearchParams(fields).toString();
  }
  if (options.cookie) event.headers = { ...event.headers, cookie: options.cookie };
  return event;
}

/** A minimal Lambda context for calling middy-wrapped handlers. */
export const lambdaContext = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-west-2:123456789012:function:test',
  memoryLimitInMB: '256',
  awsRequestId: 'aws-req-1',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/**
 * Everything the process wrote to stdout/stderr (where the Powertools logger writes) while `fn` ran,
 * at the most verbose level, so "never logged" assertions see every line a handler could write.
 */
export async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T; logs: string }> {
  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    const result = await fn();
    return { result, logs: chunks.join('') };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    logger.setLogLevel(level);
  }
}
