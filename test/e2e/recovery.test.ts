/**
 * End to end: a request orphaned by a crash (the process died after the request was written and
 * before its workflow started, e.g. `kill -9` of `npm start`) is started when the runtime starts
 * again: the execution named by the request id exists, the request goes on to the privacy review
 * (its task email goes to the Cybersecurity team), and the requester is acknowledged exactly once.
 * A request written before the restart is started however young it is (its submission died with the
 * process); one younger than a minute written since is left to its submission, which may be at it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#local/runtime.ts';
import { SUBMITTED_ACTIVITY } from '#shared/requests/submission.ts';
import { newRequestId } from '#shared/workflow/request-id.ts';
import { parseResourceRequest, toWorkflowResource } from '#shared/workflow/request-schema.ts';
import {
  Client,
  type ExecutionDetail,
  eventually,
  removeDataDir,
  requestBody,
  startTestRuntime,
  TEAM,
  tempDataDir,
} from './helpers.ts';

const dataDir = tempDataDir('recovery');
const REQUESTER = 'maria.lopez@district.example';
let runtime: LocalRuntime | undefined;

afterAll(async () => {
  await runtime?.stop();
  removeDataDir(dataDir);
});

/** Writes a request record exactly as createRequest does, and nothing else (the crash came next). */
async function writeOrphan(on: LocalRuntime, createdAt: Date, resourceName: string): Promise<string> {
  const parsed = parseResourceRequest(requestBody({ resourceName }));
  if (!parsed.ok) throw new Error(`invalid request: ${JSON.stringify(parsed.errors)}`);
  const request = parsed.value;
  const requestId = newRequestId(createdAt);
  const at = createdAt.toISOString();
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: on.env.AWS_ENDPOINT_URL_DYNAMODB,
      region: on.env.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  try {
    await client.send(
      new PutCommand({
        TableName: on.env.TABLE_NAME,
        Item: {
          PK: `REQUEST#${requestId}`,
          SK: 'REQUEST',
          GSI1PK: `REQUESTER#${request.requesterEmail}`,
          GSI1SK: at,
          GSI2PK: 'UNSTARTED',
          GSI2SK: at,
          entity: 'request',
          requestId,
          createdAt: at,
          updatedAt: at,
          status: 'IN_REVIEW',
          currentStep: 2,
          currentActivity: SUBMITTED_ACTIVITY,
          submitted: request,
          resource: toWorkflowResource(request),
          replacementCount: 0,
        },
      }),
    );
  } finally {
    client.destroy();
  }
  return requestId;
}

/** Acknowledgements of this request (to the requester: the acknowledgement email's subject). */
const acknowledgements = async (client: Client, requestId: string) =>
  (await client.outbox()).filter((e) => e.subject.startsWith(`Request ${requestId} received`));

describe('TS-PE-535 end to end: a request orphaned by a crash is started at the next start', () => {
  let orphanId: string;
  let youngId: string;
  let client: Client;

  beforeAll(async () => {
    // Prepare: the runtime crashed right after writing two requests, one 2 minutes ago, one just now
    runtime = await startTestRuntime(dataDir);
    orphanId = await writeOrphan(runtime, new Date(Date.now() - 2 * 60_000), 'Orphaned Fractions');
    youngId = await writeOrphan(runtime, new Date(), 'Young Fractions');
    await runtime.stop();

    // Act: start again on the same data folder
    runtime = await startTestRuntime(dataDir);
    client = new Client(runtime);
  });

  it('starts the execution named by the request id, and the request proceeds to the privacy review', async () => {
    const execution = await eventually<ExecutionDetail>(`an execution named ${orphanId}`, () =>
      client.execution(orphanId).catch(() => undefined),
    );
    const task = await client.nextTask(orphanId, 'privacy-review');

    expect(execution.input).toMatchObject({ requestId: orphanId, replacementCount: 0 });
    expect(task.email.to).toEqual([TEAM.cybersecurity]);
    const view = await client.request(orphanId);
    expect(view.status).toBe('IN_REVIEW');
    expect(view.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['SUBMITTED', 'WORKFLOW_STARTED_BY_RECOVERY']),
    );
  });

  it('acknowledges the requester exactly once, even when the sweep runs again', async () => {
    await eventually('the acknowledgement', async () =>
      (await acknowledgements(client, orphanId)).length > 0 ? true : undefined,
    );

    const again = await (runtime as LocalRuntime).runScheduledFunctions();

    expect(again['recover-requests']).toMatchObject({ started: [], failed: [] });
    const acks = await acknowledgements(client, orphanId);
    expect(acks).toHaveLength(1);
    expect(acks[0]?.to).toEqual([REQUESTER]);
    expect((await client.executions()).filter((e) => e.name === orphanId)).toHaveLength(1);
  });

  it('starts at once a request written just before the restart: its submission died with the process', async () => {
    await eventually<ExecutionDetail>(`an execution named ${youngId}`, () =>
      client.execution(youngId).catch(() => undefined),
    );
    await eventually('the acknowledgement', async () =>
      (await acknowledgements(client, youngId)).length === 1 ? true : undefined,
    );
  });

  it('leaves a request younger than a minute written since the restart to its submission', async () => {
    const liveId = await writeOrphan(runtime as LocalRuntime, new Date(), 'Live Fractions');

    const swept = await (runtime as LocalRuntime).runScheduledFunctions();

    expect(swept['recover-requests']).toMatchObject({ started: [] });
    expect(await client.execution(liveId).catch(() => undefined)).toBeUndefined();
    expect(await acknowledgements(client, liveId)).toEqual([]);
  });
});
