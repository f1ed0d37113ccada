/**
 * shared/requests/resume.ts: what an operator's resume may start, under which name, and what it
 * writes. Store and Step Functions are in-memory fakes; test/e2e/resume.test.ts runs the command.
 */
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXECUTION_RESUMED, type ResumeDeps, resumeRequest } from '#shared/requests/resume.ts';
import type { AuditEvent, RequestRecord } from '#shared/workflow/records.ts';
import stored from '../../events/request-record.json' with { type: 'json' };

const MACHINE = 'arn:aws:states:us-west-2:123456789012:stateMachine:software-request';
const ID = 'SR-20261128-TEST0001';
const arnOf = (name: string) => `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;

interface Execution {
  input: string;
  status: string;
}

function world(record: RequestRecord, audit: AuditEvent[] = []) {
  const executions = new Map<string, Execution>([[arnOf(ID), { input: '{}', status: 'FAILED' }]]);
  const request = { current: structuredClone(record) };
  let at = 0;
  const deps: ResumeDeps = {
    stateMachineArn: MACHINE,
    store: {
      getRequest: async () => structuredClone(request.current),
      listAudit: async () => structuredClone(audit),
      appendAudit: async (e) => {
        const full = { ...e, at: e.at ?? `2026-12-05T10:00:0${at++}.000Z` };
        audit.push(full);
        return full;
      },
      updateRequest: async (_id, patch) => {
        request.current = { ...request.current, ...patch };
      },
      markRequestStarted: async (_id, executionArn) => {
        request.current = { ...request.current, executionArn };
      },
    },
    sfn: {
      send: (async (command: unknown) => {
        if (command instanceof DescribeExecutionCommand) {
          const e = executions.get(command.input.executionArn ?? '');
          if (!e) throw Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' });
          return { status: e.status };
        }
        if (command instanceof StartExecutionCommand) {
          const arn = arnOf(command.input.name ?? '');
          const e = executions.get(arn);
          // As AWS: the same name and input while running is the same execution.
          if (e && !(e.status === 'RUNNING' && e.input === command.input.input)) {
            throw Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });
          }
          executions.set(arn, { input: command.input.input ?? '', status: 'RUNNING' });
          return { executionArn: arn };
        }
        throw new Error('unexpected command');
      }) as ResumeDeps['sfn']['send'],
    },
  };
  return { deps, executions, audit, request };
}

const decided = (kind: string, decision: string, at: string): AuditEvent => ({
  requestId: ID,
  at,
  sopStep: 0,
  type: 'DECISION_RECORDED',
  summary: `${kind}: ${decision}`,
  actor: 'someone@district.example',
  detail: { kind, decision },
});

/** A paid web service with student data, vetted (DPA signed, SSL passed), stopped by an error. */
function vettedRecord(change: Partial<RequestRecord> = {}): RequestRecord {
  return {
    ...(stored as unknown as RequestRecord),
    status: 'ERROR',
    error: { error: 'ValidationError', cause: 'payload', at: '2026-12-05T09:00:00.000Z' },
    security: {
      privacyReview: {
        decision: 'acceptable',
        studentDataRequired: true,
        vendorContactEmail: 'privacy@vendor.example',
        websites: ['www.mathblaster.example'],
        at: '2026-11-21T10:00:00.000Z',
      },
      dpa: { decision: 'signed' },
      ssl: { endpoints: [], passed: true, reason: 'A', testedAt: '2026-11-22T10:00:00.000Z' },
    },
    ...change,
  };
}

const command = (at: string) => ({ requestId: ID, at, operator: 'ops.alex' });

let w: ReturnType<typeof world>;
beforeEach(() => {
  w = world(vettedRecord(), [decided('curriculum-review', 'approve', '2026-11-23T10:00:00.000Z')]);
});

describe('resumeRequest', () => {
  it('starts <requestId>-r1 at the step with the stored input, audits it with the operator, and repoints the request', async () => {
    const result = await resumeRequest(command('TechnicalReview'), w.deps);

    expect(result).toMatchObject({ executionName: `${ID}-r1`, executionArn: arnOf(`${ID}-r1`) });
    expect(JSON.parse(w.executions.get(arnOf(`${ID}-r1`))?.input ?? '')).toEqual({
      requestId: ID,
      requestType: 'instructional',
      resource: vettedRecord().resource,
      replacementCount: 0,
      questions: { asked: 0 },
      rerouted: false,
      resumeAt: 'TechnicalReview',
    });
    expect(w.audit.filter((e) => e.type === EXECUTION_RESUMED)).toEqual([
      expect.objectContaining({ actor: 'ops.alex', sopStep: 10 }),
    ]);
    expect(w.request.current).toMatchObject({
      status: 'IN_REVIEW',
      executionArn: arnOf(`${ID}-r1`),
      currentStep: 10,
    });
    expect(w.request.current.error).toBeUndefined();
  });

  it('the same command again (a crash before its writes) starts nothing new and audits once', async () => {
    // Prepare: -r1 started, but nothing was recorded
    await resumeRequest(command('TechnicalReview'), w.deps);
    w.audit.splice(
      w.audit.findIndex((e) => e.type === EXECUTION_RESUMED),
      1,
    );
    w.request.current = { ...w.request.current, executionArn: arnOf(ID) };

    // Act
    const again = await resumeRequest(command('TechnicalReview'), w.deps);

    // Assess
    expect(again.executionName).toBe(`${ID}-r1`);
    expect([...w.executions.keys()]).toEqual([arnOf(ID), arnOf(`${ID}-r1`)]);
    expect(w.audit.filter((e) => e.type === EXECUTION_RESUMED)).toHaveLength(1);
  });

  it('a name a closed execution holds moves on to the next one; a second resume is -r2', async () => {
    w.executions.set(arnOf(`${ID}-r1`), { input: '{}', status: 'FAILED' });

    expect((await resumeRequest(command('TechnicalReview'), w.deps)).executionName).toBe(`${ID}-r2`);
    w.executions.set(arnOf(`${ID}-r2`), { input: '{}', status: 'FAILED' });
    expect((await resumeRequest(command('TechnicalReview'), w.deps)).executionName).toBe(`${ID}-r3`);
  });

  it('decisions from before a replacement are about the old resource and do not count', async () => {
    w = world(vettedRecord(), [
      decided('curriculum-review', 'approve', '2026-11-23T10:00:00.000Z'),
      decided('replacement', 'replacement-found', '2026-11-25T10:00:00.000Z'),
    ]);

    await expect(resumeRequest(command('TechnicalReview'), w.deps)).rejects.toThrow(
      'no curriculum or administrative approval is recorded',
    );
    expect(w.executions.size).toBe(1);
  });

  it('security vetting must be complete to resume past it: an unsigned DPA is not', async () => {
    w = world(vettedRecord({ security: { ...vettedRecord().security, dpa: { decision: 'refused' } } }));

    await expect(resumeRequest(command('RouteApproval'), w.deps)).rejects.toThrow(
      'security vetting is not complete',
    );
    await expect(resumeRequest(command('PrivacyPolicyReview'), w.deps)).resolves.toMatchObject({
      at: 'PrivacyPolicyReview',
    });
  });

  it('a free resource has no purchase order to request, and is installed without one', async () => {
    const free = { ...vettedRecord().resource, cost: 0 };
    const audit = [
      decided('curriculum-review', 'approve', '2026-11-23T10:00:00.000Z'),
      decided('technical-review', 'sound', '2026-11-24T10:00:00.000Z'),
    ];
    w = world(vettedRecord({ resource: free }), audit);

    await expect(resumeRequest(command('RequestPurchaseOrder'), w.deps)).rejects.toThrow(
      'needs no purchase order',
    );
    await expect(resumeRequest(command('Installation'), w.deps)).resolves.toMatchObject({
      at: 'Installation',
    });
  });

  it('refuses, writing nothing, without an operator, for an unknown state, or while the execution runs', async () => {
    await expect(resumeRequest({ ...command('TechnicalReview'), operator: ' ' }, w.deps)).rejects.toThrow(
      'Name the operator',
    );
    await expect(resumeRequest(command('Approved'), w.deps)).rejects.toThrow(
      'Approved is not a safe entry point',
    );
    w.executions.set(arnOf(ID), { input: '{}', status: 'RUNNING' });
    await expect(resumeRequest(command('TechnicalReview'), w.deps)).rejects.toThrow(
      'still has a running execution',
    );

    expect(w.executions.size).toBe(1);
    expect(w.audit.filter((e) => e.type === EXECUTION_RESUMED)).toEqual([]);
    expect(w.request.current.status).toBe('ERROR');
  });
});
