/**
 * What AWS runs: the handler bundles CDK builds (minified ESM, cdk/lambda-bundling.ts), not the
 * TypeScript the other suites import. Step Functions matches `Retry` on the error name a Lambda
 * reports (`error.name`), so a minifier that renames `TransientError` to `ur` silently turns every
 * retry into a failed request. These tests build a real bundle with the deployed options and check
 * that its errors reach the state machine by their real names and are retried.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AslDefinition, loadDefinition } from '#local/asl-definition.ts';
import { LocalStateMachine, TaskTokens } from '#local/asl-runner.ts';
import { STATE_MACHINES } from '#shared/functions.ts';
import { buildLambdaBundles } from '../../cdk/lambda-bundling.ts';
import { freshBundleFolder, PROJECT_ROOT } from './bundle-folder.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** A DynamoDB endpoint that throttles the next `throttle` calls and accepts the rest. */
class FlakyDynamoDb {
  throttle = 0;
  calls: string[] = [];
  private readonly server: Server = createServer((req, res) => {
    req.resume().on('end', () => {
      this.calls.push(
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '',
      );
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (this.throttle > 0) {
        this.throttle--;
        res.statusCode = 400;
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
            message: 'Rate of requests exceeds the allowed throughput.',
          }),
        );
        return;
      }
      // Every read finds nothing (the registry has no entry for the resource); writes succeed.
      res.end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const context = {
  functionName: 'software-request-check-current-vetting',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:software-request-check-current-vetting',
  memoryLimitInMB: '256',
  awsRequestId: 'bundle-test',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

const input = {
  requestId: 'REQ-20261130-BUNDLE01',
  sopStep: 3,
  summary: 'Assigned to Cybersecurity',
  resource: {
    name: 'Math Blaster',
    usesWebsite: false,
    kind: 'software',
    vendorName: 'Blaster Learning',
    cost: 0,
    studentDataShared: false,
  },
};

/** The request machine's first Task (after the resume Choices, which run no code). */
const FIRST_TASK = 'StartSecurityVetting';

/**
 * The real first Task of the request machine (its Retry and Catch exactly as deployed), followed by
 * a success, so a run shows whether a bundled error is retried or caught.
 */
function firstStateOnly(): AslDefinition {
  const full = loadDefinition(join(PROJECT_ROOT, STATE_MACHINES.softwareRequest.file));
  const first = structuredClone(full.States[FIRST_TASK]) as AslDefinition['States'][string] & {
    Type?: string;
    Next?: string;
    Catch?: { Next: string }[];
  };
  if (first.Type !== 'Task') throw new Error(`${FIRST_TASK} is no longer a Task`);
  first.Next = 'Recorded';
  for (const c of first.Catch ?? []) c.Next = 'Caught';
  return {
    StartAt: FIRST_TASK,
    States: {
      [FIRST_TASK]: first,
      Recorded: { Type: 'Succeed' },
      Caught: { Type: 'Fail', Error: 'Caught' } as AslDefinition['States'][string],
    },
  };
}

describe('Lambda bundles as CDK builds them: errors keep their names', () => {
  const dynamo = new FlakyDynamoDb();
  let handler: Handler;

  beforeAll(async () => {
    const endpoint = await dynamo.start();
    Object.assign(process.env, {
      TABLE_NAME: 'software-requests',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      // One attempt per call: the SDK's own retries would hide the throttling from the handler.
      AWS_MAX_ATTEMPTS: '1',
    });
    const bundles = await buildLambdaBundles(PROJECT_ROOT, ['check-current-vetting'], freshBundleFolder());
    const mod = (await import(pathToFileURL(bundles.get('check-current-vetting') as string).href)) as {
      handler: Handler;
    };
    handler = mod.handler;
  });

  afterAll(() => dynamo.close());

  it('a throttled DynamoDB write surfaces from the minified bundle as TransientError, not a mangled name', async () => {
    dynamo.throttle = 1;

    const error = (await handler(input, context).catch((e: unknown) => e)) as Error;

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TransientError');
    expect(error.constructor.name).toBe('TransientError');
  });

  it('the deployed Retry of SOP 3 fires on the bundled error and the step then succeeds', async () => {
    dynamo.throttle = 1;
    dynamo.calls = [];
    const machine = new LocalStateMachine(
      firstStateOnly(),
      (_fn, payload) => handler(payload, context),
      new TaskTokens(),
    );

    const run = machine.start(input, {
      name: input.requestId,
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:software-request:bundle',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:software-request',
      retryIntervalOverrides: { StartSecurityVetting: 0 },
    });
    await run.result;
    await run.settled;

    const failures = run.events.filter((e) => e.error !== undefined).map((e) => e.error);
    expect(failures).toEqual(['TransientError']);
    expect(run.events.at(-1)?.type).toBe('ExecutionSucceeded');
    // The throttled read of the registry entry, then the retry: the entry (none, so no request is
    // read), the update and the audit write.
    expect(dynamo.calls).toEqual(['GetItem', 'GetItem', 'UpdateItem', 'PutItem']);
  });
});
