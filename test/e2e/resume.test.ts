/**
 * End to end: an operator resumes a request whose execution stopped (`npm run resume -- <requestId>
 * --at <StateName>`, scripts/resume.ts) on the running local runtime. The command refuses what would
 * not work (a running execution, a state that is no safe entry point, a step the request never
 * reached) and changes nothing then; otherwise it starts `<requestId>-r1` at the named step, audits
 * EXECUTION_RESUMED with the operator, repoints the request at the new execution, and the request goes
 * on to its outcome through the new execution's task links.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { executionArn, STATE_MACHINE_NAMES, stateMachineArn } from '#local/config.ts';
import { readRuntimeFile } from '#local/runtime-file.ts';
import { handlerInvoker } from '#local/start/handlers.ts';
import { EXECUTION_RESUMED, ResumeRefusedError, resumeRequest } from '#shared/requests/resume.ts';
import { WorkflowStore } from '#shared/store.ts';
import { runScript, type ScriptRun, simpleRequestBody, TEAM, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('resume');
const clients: (DynamoDBClient | SFNClient)[] = [];
const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
afterAll(() => {
  for (const c of clients) c.destroy();
});

/** The request and its audit trail as the table holds them (what the status page is built from). */
function table(): WorkflowStore {
  const runtime = readRuntimeFile(env.dataDir);
  if (!runtime) throw new Error('no runtime.json');
  const dynamodb = new DynamoDBClient({ ...LOCAL, endpoint: runtime.dynamodb });
  clients.push(dynamodb);
  return new WorkflowStore({ tableName: runtime.tableName, client: DynamoDBDocumentClient.from(dynamodb) });
}

/** The domain function the command runs, in-process (each run of the command is a fresh tsx process). */
async function refusal(requestId: string, at: string): Promise<string> {
  const endpoint = readRuntimeFile(env.dataDir)?.stepFunctions;
  const sfn = new SFNClient({ ...LOCAL, endpoint });
  clients.push(sfn);
  const stateMachine = stateMachineArn(STATE_MACHINE_NAMES.softwareRequest);
  const attempt = resumeRequest(
    { requestId, at, operator: 'ops.test' },
    { store: table(), sfn, stateMachineArn: stateMachine },
  );
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ResumeRefusedError);
  return error instanceof Error ? error.message : '';
}

function resume(...args: string[]): Promise<ScriptRun> {
  return runScript({ dataDir: env.dataDir, port: env.runtime.port }, 'scripts/resume.ts', args, {
    USER: 'ops.shell',
  });
}

describe('npm run resume: a stopped request goes on with a new execution', () => {
  it('refuses what cannot work, then resumes at RouteApproval and the request ends Approved', async () => {
    // Prepare: a free application past security vetting, waiting for curriculum review
    const requestId = await env.client.submitAndPassPrivacyReview(simpleRequestBody('Resume Lab'));
    await env.client.nextTask(requestId, 'curriculum-review');
    const store = table();
    const firstArn = executionArn('software-request', requestId);
    expect((await store.getRequest(requestId))?.executionArn).toBe(firstArn);

    // Act + Assess: the execution still runs, so nothing may start beside it
    const running = await resume(requestId, '--at', 'PrivacyPolicyReview');
    expect(running.code, running.err).toBe(2);
    expect(running.err).toContain('still has a running execution');

    // Prepare: the execution stops on a system error (as a release's payload change would make it)
    env.runtime.sfn.stopExecution(firstArn, 'ValidationError', 'payload: kind is required');
    await env.client.waitForExecution(requestId, 'ABORTED');
    await handlerInvoker(env.runtime.handlers)('record-error', {
      requestId,
      error: { Error: 'ValidationError', Cause: 'payload: kind is required' },
    });
    expect((await env.client.request(requestId)).status).toBe('ERROR');
    const alert = (await env.client.outbox()).find((e) =>
      e.subject.includes(`System error on request ${requestId}`),
    );
    expect(alert?.text).toContain(`npm run resume -- ${requestId} --at <StateName>`);

    // Act + Assess: a state that is no safe entry point, and a step the request never reached
    const unsafe = await refusal(requestId, 'IsCurriculumApproved');
    expect(unsafe).toContain('IsCurriculumApproved is not a safe entry point');
    expect(unsafe).toContain('RouteApproval');
    expect(await refusal(requestId, 'TechnicalReview')).toContain(
      'no curriculum or administrative approval is recorded',
    );
    const unchanged = await store.getRequest(requestId);
    expect(unchanged).toMatchObject({ status: 'ERROR', executionArn: firstArn });
    expect((await store.listAudit(requestId)).some((e) => e.type === EXECUTION_RESUMED)).toBe(false);

    // Act: resume where the request stopped
    const resumed = await resume(requestId, '--at', 'RouteApproval', '--operator', 'ops.alex');

    // Assess: a new execution, audited with the operator, and the request points at it
    expect(resumed.code, resumed.err).toBe(0);
    const newArn = executionArn('software-request', `${requestId}-r1`);
    expect(resumed.out).toContain(newArn);
    const record = await store.getRequest(requestId);
    expect(record).toMatchObject({ status: 'IN_REVIEW', executionArn: newArn });
    expect(record?.error).toBeUndefined();
    const audit = await store.listAudit(requestId);
    expect(audit.filter((e) => e.type === EXECUTION_RESUMED)).toEqual([
      expect.objectContaining({
        actor: 'ops.alex',
        sopStep: 7,
        detail: expect.objectContaining({
          at: 'RouteApproval',
          executionName: `${requestId}-r1`,
          previousExecutionArn: firstArn,
          error: 'ValidationError',
        }),
      }),
    ]);

    // Act: the teams decide through the new execution's task links
    const curriculum = await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
    await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
    await env.client.complete(requestId, 'installation', { decision: 'installed' });

    // Assess: approved by the resumed execution, which skipped security vetting
    expect((await env.client.waitForStatus(requestId, 'APPROVED')).status).toBe('APPROVED');
    expect(curriculum.email.to).toEqual([TEAM.instructionalTechnology]);
    const execution = await env.client.waitForExecution(`${requestId}-r1`, 'SUCCEEDED');
    const entered = execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.stateName);
    expect(entered.slice(0, 4)).toEqual(['IsResumed', 'ResumeAt', 'RouteApproval', 'CurriculumReview']);
    expect(entered).not.toContain('StartSecurityVetting');
    expect(entered).not.toContain('PrivacyPolicyReview');

    // Act + Assess: a decided request has nothing to resume
    expect(await refusal(requestId, 'PublishApproved')).toContain('is APPROVED and recorded no error');
  }, 120_000); // runs the command (a fresh tsx process) twice, and a whole approval
});
