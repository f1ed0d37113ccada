/**
 * The local Step Functions endpoint, spoken to with the real @aws-sdk/client-sfn: the API semantics
 * handlers rely on (name uniqueness, task token errors, history) and the restart behaviour (resume
 * from the journal without invoking anything twice; abort honestly when the journal no longer fits).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AslDefinition, JsonValue } from '#local/asl-definition.ts';
import { ExecutionsStore } from '#local/executions-store.ts';
import { readBody, writeResponse } from '#local/http-server.ts';
import { StepFunctionsEndpoint } from '#local/sfn/endpoint.ts';

const MACHINE = 'software-request';
/** ASL substitution variables, written as the ASL files write them. */
const fnArn = (name: string) => `\${${name}FunctionArn}`;
const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:software-request';

function definition(firstTask = 'Prepare'): AslDefinition {
  return {
    StartAt: firstTask,
    States: {
      [firstTask]: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: fnArn('Prepare'), Payload: { 'requestId.$': '$.requestId' } },
        ResultSelector: { 'prepared.$': '$.Payload.prepared' },
        ResultPath: '$.prep',
        Next: 'Approve',
      } as never,
      Approve: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: fnArn('AssignTask'),
          Payload: { 'taskToken.$': '$$.Task.Token', 'requestId.$': '$.requestId' },
        },
        TimeoutSeconds: 60,
        ResultPath: '$.approval',
        Next: 'Done',
      } as never,
      Done: { Type: 'Pass', End: true } as never,
    },
  };
}

interface Harness {
  endpoint: StepFunctionsEndpoint;
  client: SFNClient;
  calls: { fn: string; payload: Record<string, unknown> }[];
  tokens: string[];
  close(): Promise<void>;
}

let dataDir: string;
const open: Harness[] = [];

async function harness(def: AslDefinition = definition()): Promise<Harness> {
  const calls: Harness['calls'] = [];
  const tokens: string[] = [];
  const endpoint = new StepFunctionsEndpoint({
    store: new ExecutionsStore(dataDir),
    machines: [{ name: MACHINE, definition: def }],
    invoke: async (fn: string, payload: JsonValue) => {
      const p = payload as Record<string, unknown>;
      calls.push({ fn, payload: p });
      if (fn === 'AssignTaskFunctionArn') tokens.push(String(p.taskToken));
      return { prepared: true };
    },
  });
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = await readBody(req);
      const response = await endpoint.handle({
        method: req.method ?? 'POST',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        params: {},
      });
      writeResponse(res, response ?? { status: 404 });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new SFNClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const h: Harness = {
    endpoint,
    client,
    calls,
    tokens,
    async close() {
      await endpoint.shutdown();
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  open.push(h);
  return h;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function status(h: Harness, executionArn: string): Promise<string | undefined> {
  return (await h.client.send(new DescribeExecutionCommand({ executionArn }))).status;
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfn-endpoint-'));
});

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local Step Functions endpoint: the API', () => {
  it('runs Lambda tasks in-process, hands each wait a fresh token and completes on SendTaskSuccess', async () => {
    const h = await harness();

    const { executionArn } = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: ARN, name: 'SR-1', input: '{"requestId":"SR-1"}' }),
    );
    const token = await until('the wait', () => h.tokens[0]);
    await h.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"decision":"approve"}' }));
    await until('success', async () =>
      (await status(h, executionArn ?? '')) === 'SUCCEEDED' ? true : undefined,
    );

    const described = await h.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:software-request:SR-1');
    expect(JSON.parse(described.output ?? '')).toEqual({
      requestId: 'SR-1',
      prep: { prepared: true },
      approval: { decision: 'approve' },
    });
    expect(h.calls.map((c) => c.fn)).toEqual(['PrepareFunctionArn', 'AssignTaskFunctionArn']);
    const history = await h.client.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = history.events?.map((e) => e.type);
    expect(types?.[0]).toBe('ExecutionStarted');
    expect(types?.at(-1)).toBe('ExecutionSucceeded');
    expect(types).toEqual(
      expect.arrayContaining([
        'TaskStateEntered',
        'TaskScheduled',
        'TaskSubmitted',
        'TaskSucceeded',
        'PassStateExited',
      ]),
    );
    expect(history.events?.map((e) => e.id)).toEqual(history.events?.map((_, i) => i + 1));
    expect(JSON.stringify(history.events)).not.toContain(token);
  });

  it('the same name and input while running is the same execution; other input is ExecutionAlreadyExists', async () => {
    const h = await harness();
    const input = { stateMachineArn: ARN, name: 'SR-2', input: '{"requestId":"SR-2"}' };

    const first = await h.client.send(new StartExecutionCommand(input));
    const again = await h.client.send(new StartExecutionCommand(input));
    const other = h.client.send(new StartExecutionCommand({ ...input, input: '{"requestId":"SR-X"}' }));

    expect(again.executionArn).toBe(first.executionArn);
    await expect(other).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('answers unknown state machines, executions, names and tokens as AWS does', async () => {
    const h = await harness();

    await expect(
      h.client.send(new StartExecutionCommand({ stateMachineArn: `${ARN}-nope`, name: 'x' })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist', $metadata: { httpStatusCode: 400 } });
    await expect(
      h.client.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'has space' })),
    ).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(
      h.client.send(new DescribeExecutionCommand({ executionArn: `${ARN}:nope` })),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(
      h.client.send(new SendTaskSuccessCommand({ taskToken: 'forged', output: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  it('a token answered once is TaskDoesNotExist; invalid output is InvalidOutput; heartbeats are accepted while waiting', async () => {
    const h = await harness();
    await h.client.send(
      new StartExecutionCommand({ stateMachineArn: ARN, name: 'SR-3', input: '{"requestId":"SR-3"}' }),
    );
    const token = await until('the wait', () => h.tokens[0]);

    await h.client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await expect(
      h.client.send(new SendTaskSuccessCommand({ taskToken: token, output: 'not json' })),
    ).rejects.toMatchObject({ name: 'InvalidOutput' });
    await h.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    await expect(
      h.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('SendTaskFailure fails the execution with the error and cause', async () => {
    const h = await harness();
    const { executionArn } = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: ARN, name: 'SR-4', input: '{"requestId":"SR-4"}' }),
    );
    const token = await until('the wait', () => h.tokens[0]);

    await h.client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'no' }));

    await until('failure', async () =>
      (await status(h, executionArn ?? '')) === 'FAILED' ? true : undefined,
    );
    const described = await h.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ error: 'Rejected', cause: 'no' });
  });

  it('StopExecution aborts the run and refuses later answers; ListExecutions filters by status', async () => {
    const h = await harness();
    const { executionArn } = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: ARN, name: 'SR-5', input: '{"requestId":"SR-5"}' }),
    );
    const token = await until('the wait', () => h.tokens[0]);

    await h.client.send(
      new StopExecutionCommand({ executionArn, error: 'Withdrawn', cause: 'by requester' }),
    );

    expect(await status(h, executionArn ?? '')).toBe('ABORTED');
    await expect(
      h.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    const aborted = await h.client.send(
      new ListExecutionsCommand({ stateMachineArn: ARN, statusFilter: 'ABORTED' }),
    );
    const running = await h.client.send(
      new ListExecutionsCommand({ stateMachineArn: ARN, statusFilter: 'RUNNING' }),
    );
    expect(aborted.executions?.map((e) => e.name)).toEqual(['SR-5']);
    expect(running.executions).toEqual([]);
  });
});

describe('local Step Functions endpoint: restart', () => {
  it('resumes a waiting execution from its journal: no task runs twice and the original token still answers', async () => {
    const first = await harness();
    const { executionArn } = await first.client.send(
      new StartExecutionCommand({ stateMachineArn: ARN, name: 'SR-6', input: '{"requestId":"SR-6"}' }),
    );
    const token = await until('the wait', () => first.tokens[0]);
    await until('the wait to be announced', () =>
      first.endpoint.detail(new ExecutionsStore(dataDir).get(MACHINE, 'SR-6') as never).waitingFor.length
        ? true
        : undefined,
    );
    await first.close();
    open.splice(open.indexOf(first), 1);

    const second = await harness();
    const resumed = second.endpoint.resumeInFlight();
    await second.client.send(
      new SendTaskSuccessCommand({ taskToken: token, output: '{"decision":"approve"}' }),
    );

    expect(resumed.map((r) => r.name)).toEqual(['SR-6']);
    await until('success', async () =>
      (await status(second, executionArn ?? '')) === 'SUCCEEDED' ? true : undefined,
    );
    expect(second.calls).toEqual([]);
    const history = await second.client.send(new GetExecutionHistoryCommand({ executionArn }));
    const types: string[] = history.events?.map((e) => String(e.type)) ?? [];
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types.filter((t) => t === 'ExecutionResumed')).toHaveLength(1);
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(2);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
  });

  it('aborts an execution whose journal no longer fits the definition and marks the request ERROR', async () => {
    const first = await harness();
    await first.client.send(
      new StartExecutionCommand({ stateMachineArn: ARN, name: 'SR-7', input: '{"requestId":"SR-7"}' }),
    );
    await until('the wait', () => first.tokens[0]);
    await first.close();
    open.splice(open.indexOf(first), 1);

    const second = await harness(definition('PrepareRenamed'));
    second.endpoint.resumeInFlight();

    const described = await until('the abort', async () => {
      const d = await second.client.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:000000000000:execution:software-request:SR-7',
        }),
      );
      return d.status === 'ABORTED' ? d : undefined;
    });
    expect(described).toMatchObject({ error: 'LocalRuntimeRestarted' });
    expect(described.cause).toMatch(/could not resume/);
    await until('record-error', () => second.calls.find((c) => c.fn === 'RecordErrorFunctionArn'));
    expect(second.calls.find((c) => c.fn === 'RecordErrorFunctionArn')?.payload).toMatchObject({
      requestId: 'SR-7',
      error: { Error: 'LocalRuntimeRestarted' },
    });
    expect(second.calls.filter((c) => c.fn !== 'RecordErrorFunctionArn')).toEqual([]);
  });
});
