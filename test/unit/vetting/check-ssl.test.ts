import { readFileSync } from 'node:fs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkSsl, handler, readCheckSslConfig } from '#lambdas/check-ssl.ts';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import { ConfigError, NotFoundError, TransientError, ValidationError } from '#shared/core/errors.ts';
import { WorkflowStore } from '#shared/store.ts';
import { maxScanCalls, type SslScanDeps } from '#shared/vetting/ssl/scan.ts';
import {
  MAX_SLOT_WAITS,
  SLOT_LEASE_MARGIN_SECONDS,
  type SslSlots,
  unlimitedSslSlots,
} from '#shared/vetting/ssl/slots.ts';
import {
  type AnalyzeResult,
  parseHost,
  SslLabsError,
  type SslLabsHost,
} from '#shared/vetting/ssl/ssllabs-client.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import type { CheckSslInput } from '#shared/workflow/ssl-scan-input.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const NOW = new Date('2026-11-28T10:10:00.000Z');
const REQUEST_ID = 'SR-20261128-SSL00001';
const URL_ = 'https://learn.example.com/login?next=/';

const fixture = (name: string): SslLabsHost =>
  parseHost(JSON.parse(readFileSync(`test/events/ssllabs/${name}.json`, 'utf8')), 'learn.example.com');
const hostResult = (name: string): AnalyzeResult => ({ kind: 'host', host: fixture(name) });
const busy = (retryAfterSeconds = 300): AnalyzeResult => ({
  kind: 'busy',
  httpStatus: 529,
  retryAfterSeconds,
  message: 'SSL Labs is overloaded',
});

function requestRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: REQUEST_ID,
    createdAt: '2026-11-28T09:00:00.000Z',
    updatedAt: '2026-11-28T09:30:00.000Z',
    status: 'IN_REVIEW',
    currentStep: 4,
    currentActivity: 'Waiting for Cybersecurity (CCS)',
    submitted: {} as RequestRecord['submitted'],
    resource: {
      name: 'Learn Portal',
      url: 'https://learn.example.com',
      usesWebsite: true,
      kind: 'web-service',
      vendorName: 'Learn Co',
      cost: 0,
      studentDataShared: true,
    },
    replacementCount: 0,
    security: {
      privacyReview: {
        decision: 'acceptable',
        studentDataRequired: true,
        vendorContactEmail: 'privacy@learn.example.com',
        at: '2026-11-28T09:20:00.000Z',
      },
      dpa: { sentTo: 'privacy@learn.example.com', sentAt: '2026-11-28T09:21:00.000Z', decision: 'signed' },
    },
    ...overrides,
  };
}

function deps(analyze: (host: string, o: { startNew: boolean }) => Promise<AnalyzeResult>): SslScanDeps & {
  analyze: ReturnType<typeof vi.fn>;
} {
  const fn = vi.fn(analyze);
  return {
    ssllabs: { analyze: fn },
    store: new WorkflowStore({ tableName: 'requests', client: dynamoDb, now: () => NOW }),
    now: () => NOW,
    maxWaitSeconds: 3600,
    slots: unlimitedSslSlots,
    random: () => 0,
    analyze: fn,
  };
}

/** The attributes an UpdateCommand sets, as a plain object. */
function updatedFields(call = 0): Record<string, unknown> {
  const input = ddb.commandCalls(UpdateCommand)[call]?.args[0].input;
  if (!input) throw new Error(`no UpdateCommand #${call}`);
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  return Object.fromEntries(Object.entries(names).map(([k, name]) => [name, values[k.replace('#f', ':v')]]));
}

/**
 * The one security finding an UpdateCommand wrote (store.setRequestSecurity): only that entry of
 * `security` is set, so findings other steps recorded are never overwritten.
 */
function securityWritten(call = 0): Record<string, unknown> {
  const input = ddb.commandCalls(UpdateCommand)[call]?.args[0].input;
  if (!input) throw new Error(`no UpdateCommand #${call}`);
  expect(input.UpdateExpression).toBe('SET #security.#key = :value, updatedAt = :now');
  const key = String(input.ExpressionAttributeNames?.['#key']);
  return { [key]: input.ExpressionAttributeValues?.[':value'] };
}

const auditItems = () => ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item);

const poll = (overrides: Partial<CheckSslInput> = {}): CheckSslInput => ({
  requestId: REQUEST_ID,
  url: URL_,
  startedAt: '2026-11-28T10:09:50.000Z',
  polls: 2,
  ...overrides,
});

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({ Item: { PK: `REQUEST#${REQUEST_ID}`, SK: 'REQUEST', ...requestRecord() } });
  ddb.on(UpdateCommand).resolves({});
  ddb.on(PutCommand).resolves({});
});

describe('SOP 5: start the Qualys SSL Labs test of the website', () => {
  it('starts a new assessment of the URL host and asks to poll again in 5 s', async () => {
    // Prepare
    const d = deps(async () => hostResult('dns-resolving'));

    // Act
    const out = await checkSsl({ requestId: REQUEST_ID, url: URL_ }, d);

    // Assess
    expect(d.analyze).toHaveBeenCalledWith('learn.example.com', { startNew: true });
    expect(out).toEqual({
      finished: false,
      passed: false,
      endpoints: [],
      reason: 'SSL Labs test of learn.example.com started',
      nextPollSeconds: 5,
      startedAt: NOW.toISOString(),
      polls: 1,
      hosts: [
        {
          host: 'learn.example.com',
          polls: 1,
          errorRetries: 0,
          finished: false,
          passed: false,
          reason: 'SSL Labs test of learn.example.com started',
          nextPollSeconds: 5,
        },
      ],
    });
  });

  it('only updates the current activity while the test runs (no audit, no SSL result)', async () => {
    const d = deps(async () => hostResult('dns-resolving'));

    await checkSsl({ requestId: REQUEST_ID, url: URL_ }, d);

    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(updatedFields()).toEqual({
      currentActivity: 'SSL Labs test of learn.example.com started',
      updatedAt: NOW.toISOString(),
    });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });
});

describe('SOP 5: poll the scan without restarting it, as often as its ETA says', () => {
  it('polls (no startNew) and waits for the ETA SSL Labs gives', async () => {
    const d = deps(async () => hostResult('in-progress'));

    const out = await checkSsl(poll({ polls: 2 }), d);

    expect(d.analyze).toHaveBeenCalledWith('learn.example.com', { startNew: false });
    expect(out).toMatchObject({
      finished: false,
      nextPollSeconds: 48,
      polls: 3,
      startedAt: '2026-11-28T10:09:50.000Z',
    });
    expect(updatedFields().currentActivity).toBe(
      'SSL Labs test of learn.example.com in progress (poll 3, 42% done)',
    );
  });

  it.each([
    [2, 10],
    [1000, 300],
  ])('clamps an ETA of %i s to %i s', async (eta, expected) => {
    const host = fixture('in-progress');
    host.endpoints = [{ ipAddress: '203.0.113.10', statusMessage: 'In progress', progress: 10, eta }];
    const d = deps(async () => ({ kind: 'host', host }));

    const out = await checkSsl(poll(), d);

    expect(out.nextPollSeconds).toBe(expected);
  });

  it.each([
    [1, 10],
    [2, 15],
    [3, 23],
    [4, 34],
    [7, 114],
    [8, 120],
    [20, 120],
  ])(
    'without an ETA, after %i answered polls waits 10 s growing ×1.5 up to 120 s (poll → %i s)',
    async (polls, expected) => {
      const host = fixture('in-progress');
      host.endpoints = host.endpoints.map(({ eta: _eta, ...e }) => e);
      const d = deps(async () => ({ kind: 'host', host }));

      const out = await checkSsl(poll({ polls }), d);

      expect(out.nextPollSeconds).toBe(expected);
      expect(out.polls).toBe(polls + 1);
    },
  );

  it('keeps polling every 5 s while SSL Labs is still resolving the name', async () => {
    const d = deps(async () => hostResult('dns-resolving'));

    const out = await checkSsl(poll({ polls: 3 }), d);

    expect(out.nextPollSeconds).toBe(5);
  });

  it('a long scan waits at least half the time it has already taken, so polls stay few', async () => {
    const d = deps(async () => hostResult('in-progress'));

    // 20 minutes in, SSL Labs says 48 s more: the next poll is in 10 minutes
    const out = await checkSsl(poll({ startedAt: '2026-11-28T09:50:00.000Z' }), d);

    expect(out).toMatchObject({ finished: false, nextPollSeconds: 600 });
  });

  it.each([60, 3600, 86_400])(
    'with a %i s cap, a scan that never finishes makes at most maxScanCalls() calls, logarithmic in the cap',
    async (cap) => {
      // SSL Labs stays in progress with a 10 s ETA: the worst case for the execution history
      let clock = NOW.getTime();
      const d = {
        ...deps(async () => hostResult('in-progress')),
        maxWaitSeconds: cap,
        now: () => new Date(clock),
      };
      let out = await checkSsl({ requestId: REQUEST_ID, url: URL_ }, d);
      let calls = 1;
      while (!out.finished) {
        clock += out.nextPollSeconds * 1000;
        out = await checkSsl(
          { requestId: REQUEST_ID, url: URL_, startedAt: out.startedAt, polls: out.polls },
          d,
        );
        calls++;
      }

      expect(out.reason).toContain('did not finish within');
      expect(calls).toBeLessThanOrEqual(maxScanCalls(cap));
      expect(maxScanCalls(cap)).toBeLessThanOrEqual(3 + Math.ceil(Math.log(cap / 5) / Math.log(1.5)));
    },
  );

  it('never waits past the cap: the last wait ends when the cap does', async () => {
    const d = deps(async () => hostResult('in-progress'));

    const out = await checkSsl(poll({ startedAt: '2026-11-28T09:10:30.000Z' }), d);

    expect(out).toMatchObject({ finished: false, nextPollSeconds: 30 });
  });
});

describe('SOP 5: SSL Labs busy (429/503/529)', () => {
  it('waits the cool-off when busy on a poll, without counting the poll', async () => {
    const d = deps(async () => busy(300));

    const out = await checkSsl(poll({ polls: 4 }), d);

    expect(out).toMatchObject({ finished: false, passed: false, nextPollSeconds: 300, polls: 4 });
    expect(updatedFields().currentActivity).toBe(
      'SSL Labs is busy (SSL Labs is overloaded); the test of learn.example.com resumes in 5 minutes',
    );
  });

  it('starts the assessment again on the next call when the start itself was refused as busy', async () => {
    const d = deps(async () => busy(120));

    const first = await checkSsl({ requestId: REQUEST_ID, url: URL_ }, d);
    await checkSsl({ requestId: REQUEST_ID, url: URL_, startedAt: first.startedAt, polls: first.polls }, d);

    expect(first).toMatchObject({
      finished: false,
      polls: 0,
      nextPollSeconds: 120,
      startedAt: NOW.toISOString(),
    });
    expect(d.analyze.mock.calls.map((c) => c[1])).toEqual([{ startNew: true }, { startNew: true }]);
  });
});

describe('SOP 5/6: the verdict is recorded on the request and in the audit trail', () => {
  it('passes grade A+ and records security.ssl, keeping the other security findings', async () => {
    const d = deps(async () => hostResult('ready-a-plus'));

    const out = await checkSsl(poll(), d);

    expect(out).toEqual({
      finished: true,
      passed: true,
      grade: 'A+',
      endpoints: [{ ipAddress: '203.0.113.10', grade: 'A+', statusMessage: 'Ready' }],
      reason: 'SSL Labs grade A+ for learn.example.com meets the required A or better',
      nextPollSeconds: 0,
      startedAt: '2026-11-28T10:09:50.000Z',
      polls: 3,
      hosts: [
        {
          host: 'learn.example.com',
          polls: 3,
          errorRetries: 0,
          finished: true,
          passed: true,
          grade: 'A+',
          reason: 'SSL Labs grade A+ for learn.example.com meets the required A or better',
        },
      ],
    });
    const fields = updatedFields(1);
    expect(securityWritten()).toEqual({
      ssl: {
        grade: 'A+',
        endpoints: out.endpoints.map((e) => ({ ...e, host: 'learn.example.com' })),
        hosts: [{ host: 'learn.example.com', passed: true, grade: 'A+', reason: out.reason }],
        passed: true,
        reason: out.reason,
        testedAt: NOW.toISOString(),
      },
    });
    expect(fields.currentStep).toBe(5);
    expect(fields.currentActivity).toBe(`SSL Labs test passed: ${out.reason}`);
    expect(auditItems()).toEqual([
      expect.objectContaining({
        PK: `REQUEST#${REQUEST_ID}`,
        requestId: REQUEST_ID,
        type: 'SSL_TESTED',
        sopStep: 5,
        at: NOW.toISOString(),
        summary: `Qualys SSL Labs server test passed: ${out.reason}`,
        detail: {
          host: 'learn.example.com',
          hosts: [{ host: 'learn.example.com', passed: true, grade: 'A+', reason: out.reason }],
          passed: true,
          grade: 'A+',
          endpoints: out.endpoints.map((e) => ({ ...e, host: 'learn.example.com' })),
        },
      }),
    ]);
  });

  it('fails a site with one endpoint graded B: the worst grade decides', async () => {
    const d = deps(async () => hostResult('ready-mixed-a-b'));

    const out = await checkSsl(poll(), d);

    expect(out).toMatchObject({ finished: true, passed: false, grade: 'B' });
    expect(out.reason).toMatch(/^SSL Labs grade B for learn\.example\.com is below the required A/);
    expect(securityWritten()).toMatchObject({ ssl: { grade: 'B', passed: false } });
    expect(auditItems()[0]).toMatchObject({ type: 'SSL_TESTED', summary: expect.stringContaining('failed') });
  });

  it('fails without a grade when an endpoint could not be reached', async () => {
    const d = deps(async () => hostResult('ready-unable-to-connect'));

    const out = await checkSsl(poll(), d);

    expect(out.finished).toBe(true);
    expect(out.passed).toBe(false);
    expect(out).not.toHaveProperty('grade');
    expect(out.reason).toBe(
      'SSL Labs could not grade 1 of 2 endpoints of learn.example.com (203.0.113.9: Unable to connect to the server)',
    );
    expect(securityWritten()).toMatchObject({ ssl: { passed: false, reason: out.reason } });
    expect((securityWritten() as { ssl: object }).ssl).not.toHaveProperty('grade');
  });

  it('retries an assessment SSL Labs ended in ERROR (DNS) a minute later, twice, then fails without a grade', async () => {
    const d = deps(async () => hostResult('error-dns'));

    const first = await checkSsl(poll(), d);
    expect(first).toMatchObject({ finished: false, nextPollSeconds: 60 });
    expect(first.hosts[0]).toMatchObject({ polls: 0, errorRetries: 1 });
    const second = await checkSsl(poll({ hosts: first.hosts }), d);
    expect(second.hosts[0]).toMatchObject({ polls: 0, errorRetries: 2 });
    const out = await checkSsl(poll({ hosts: second.hosts }), d);

    // Each retry starts a new assessment (startNew), not a read of the cached error.
    expect(d.analyze.mock.calls.map((c) => c[1])).toEqual([
      { startNew: false },
      { startNew: true },
      { startNew: true },
    ]);
    expect(out).toMatchObject({
      finished: true,
      passed: false,
      reason: 'SSL Labs could not resolve learn.example.com (DNS)',
    });
    expect(out).not.toHaveProperty('grade');
  });

  it('gives up with a clear reason once SSL_MAX_WAIT_SECONDS have passed since the start', async () => {
    const d = deps(async () => hostResult('in-progress'));

    const out = await checkSsl(poll({ startedAt: '2026-11-28T09:10:00.000Z', polls: 40 }), d);

    expect(out).toMatchObject({
      finished: true,
      passed: false,
      reason: 'The SSL Labs scan of learn.example.com did not finish within 60 minutes',
      nextPollSeconds: 0,
      polls: 41,
    });
    expect(out).not.toHaveProperty('grade');
    expect(securityWritten()).toMatchObject({ ssl: { passed: false, reason: out.reason } });
    expect(auditItems()).toHaveLength(1);
  });

  it('gives up at the cap also when SSL Labs is still busy', async () => {
    const d = { ...deps(async () => busy()), maxWaitSeconds: 900 };

    const out = await checkSsl(poll({ startedAt: '2026-11-28T09:50:00.000Z' }), d);

    expect(out).toMatchObject({
      finished: true,
      passed: false,
      reason: 'The SSL Labs scan of learn.example.com did not finish within 15 minutes',
      endpoints: [],
    });
  });

  it('still takes a verdict that arrives after the cap', async () => {
    const d = deps(async () => hostResult('ready-a-plus'));

    const out = await checkSsl(poll({ startedAt: '2026-11-28T08:00:00.000Z' }), d);

    expect(out).toMatchObject({ finished: true, passed: true, grade: 'A+' });
  });

  it('SOP 17: during the annual renewal it files the re-test under step 17 and leaves the current step', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...requestRecord({ status: 'APPROVED', currentStep: 17 }) } });
    const d = deps(async () => hostResult('ready-a-plus'));

    await checkSsl(poll(), d);

    expect(updatedFields(1)).not.toHaveProperty('currentStep');
    expect(updatedFields(1).currentActivity).toMatch(/^Annual renewal: SSL Labs test passed/);
    expect(auditItems()[0]).toMatchObject({ sopStep: 17, type: 'SSL_TESTED' });
  });
});

describe('bad input and failures', () => {
  it.each([
    [{ requestId: REQUEST_ID, url: 'not a url' }, 'url'],
    [{ requestId: REQUEST_ID, url: 'ftp://learn.example.com' }, 'url'],
    [{ requestId: REQUEST_ID }, 'websites'],
    [{ requestId: REQUEST_ID, websites: [] }, 'websites'],
    [
      { requestId: REQUEST_ID, websites: Array.from({ length: 11 }, (_, i) => `h${i}.example.com`) },
      'websites',
    ],
    [{ requestId: '', url: URL_ }, 'requestId'],
    [{ requestId: REQUEST_ID, url: URL_, startedAt: 'yesterday', polls: 1 }, 'startedAt'],
    [{ requestId: REQUEST_ID, url: URL_, startedAt: NOW.toISOString(), polls: -1 }, 'polls'],
  ])('rejects %j with a ValidationError on %s and calls or writes nothing', async (input, field) => {
    const d = deps(async () => hostResult('ready-a-plus'));

    const error = await checkSsl(input as CheckSslInput, d).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toContain(field);
    expect(d.analyze).not.toHaveBeenCalled();
    expect(ddb.calls()).toHaveLength(0);
  });

  it('lets a permanent SSL Labs refusal through and writes nothing', async () => {
    const d = deps(async () => {
      throw new SslLabsError('SSL Labs refused the request (HTTP 441)', 441);
    });

    await expect(checkSsl(poll(), d)).rejects.toMatchObject({ name: 'SslLabsError' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('fails with NotFoundError and writes nothing when the request does not exist', async () => {
    ddb.on(GetCommand).resolves({});
    const d = deps(async () => hostResult('ready-a-plus'));

    await expect(checkSsl(poll(), d)).rejects.toBeInstanceOf(NotFoundError);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('turns DynamoDB throttling into TransientError (the state machine retries)', async () => {
    ddb
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    const d = deps(async () => hostResult('ready-a-plus'));

    await expect(checkSsl(poll(), d)).rejects.toBeInstanceOf(TransientError);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('turns a throttled audit write into TransientError', async () => {
    ddb.on(PutCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const d = deps(async () => hostResult('ready-mixed-a-b'));

    await expect(checkSsl(poll(), d)).rejects.toBeInstanceOf(TransientError);
  });
});

describe('configuration', () => {
  const env = { TABLE_NAME: 'requests', SSLLABS_EMAIL: 'security@district.example.org' };

  it('defaults to the public v4 API and a 60-minute cap', () => {
    expect(readCheckSslConfig(env)).toEqual({
      tableName: 'requests',
      ssllabsApiBase: 'https://api.ssllabs.com/api/v4',
      ssllabsEmail: 'security@district.example.org',
      maxWaitSeconds: 3600,
    });
  });

  it('reads the API base (for the local fake) and the cap', () => {
    const config = readCheckSslConfig({
      ...env,
      SSLLABS_API_BASE: 'http://127.0.0.1:4100/api/v4/',
      SSL_MAX_WAIT_SECONDS: '600',
    });

    expect(config).toMatchObject({ ssllabsApiBase: 'http://127.0.0.1:4100/api/v4', maxWaitSeconds: 600 });
  });

  it.each([
    [{ TABLE_NAME: 'requests' }, 'SSLLABS_EMAIL'],
    [{ ...env, SSLLABS_EMAIL: 'not-an-email' }, 'SSLLABS_EMAIL'],
    [{ ...env, SSLLABS_API_BASE: 'nowhere' }, 'SSLLABS_API_BASE'],
    [{ ...env, SSLLABS_API_BASE: 'file:///etc/passwd' }, 'SSLLABS_API_BASE'],
    [{ ...env, SSL_MAX_WAIT_SECONDS: 'an hour' }, 'SSL_MAX_WAIT_SECONDS'],
    [{ ...env, SSL_MAX_WAIT_SECONDS: '0' }, 'SSL_MAX_WAIT_SECONDS'],
    [{ SSLLABS_EMAIL: 'security@district.example.org' }, 'TABLE_NAME'],
  ])('fails fast naming the bad variable (%j → %s)', (badEnv, name) => {
    expect(() => readCheckSslConfig(badEnv)).toThrow(ConfigError);
    expect(() => readCheckSslConfig(badEnv)).toThrow(name);
  });

  describe('the Lambda handler', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('fails the invocation with ConfigError naming the missing variable, before calling anything', async () => {
      vi.stubEnv('TABLE_NAME', 'requests');
      vi.stubEnv('SSLLABS_EMAIL', '');

      const error = await handler({ requestId: REQUEST_ID, url: URL_ }, {} as Context).catch(
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe('Missing required environment variable SSLLABS_EMAIL');
      expect(ddb.calls()).toHaveLength(0);
    });
  });
});

describe('SOP 5: every website Cybersecurity named is tested; the worst grade counts', () => {
  const WEBSITES = ['learn.example.com', 'login.example.com', 'https://api.example.com/v1'];
  const byHost: Record<string, string> = {
    'learn.example.com': 'ready-a-plus',
    'login.example.com': 'ready-mixed-a-b',
    'api.example.com': 'in-progress',
  };

  it('asks SSL Labs about each distinct host at once and waits only for the unfinished ones', async () => {
    const d = deps(async (host) => hostResult(byHost[host] as string));

    const out = await checkSsl({ requestId: REQUEST_ID, websites: [...WEBSITES, 'LEARN.example.com'] }, d);

    expect(d.analyze.mock.calls.map((c) => c[0]).sort()).toEqual([
      'api.example.com',
      'learn.example.com',
      'login.example.com',
    ]);
    expect(out.finished).toBe(false);
    expect(out.hosts.map((h) => [h.host, h.finished])).toEqual([
      ['learn.example.com', true],
      ['login.example.com', true],
      ['api.example.com', false],
    ]);
    expect(out.reason).toMatch(/api\.example\.com/);
  });

  it('once every host has a verdict: fails on the worst grade over all hosts and endpoints, listing each host', async () => {
    const d = deps(async (host) => hostResult(byHost[host] as string));
    const first = await checkSsl({ requestId: REQUEST_ID, websites: WEBSITES }, d);
    byHost['api.example.com'] = 'ready-a-plus';
    d.analyze.mockClear();

    const out = await checkSsl(poll({ url: undefined, hosts: first.hosts, polls: first.polls }), d);

    // Only the host without a verdict is asked again.
    expect(d.analyze.mock.calls.map((c) => c[0])).toEqual(['api.example.com']);
    expect(out).toMatchObject({ finished: true, passed: false, grade: 'B' });
    expect(out.reason).toMatch(
      /^1 of 3 websites fail the SSL test \(worst grade B\): SSL Labs grade B for login\.example\.com/,
    );
    expect(out.hosts.map((h) => [h.host, h.grade, h.passed])).toEqual([
      ['learn.example.com', 'A+', true],
      ['login.example.com', 'B', false],
      ['api.example.com', 'A+', true],
    ]);
    const written = securityWritten(1) as { ssl: { hosts: unknown[]; endpoints: { host?: string }[] } };
    expect(written.ssl.hosts).toHaveLength(3);
    expect(new Set(written.ssl.endpoints.map((e) => e.host))).toEqual(
      new Set(['learn.example.com', 'login.example.com', 'api.example.com']),
    );
  });
});

/** A slot pool in memory that records what the scan asked of it. */
function recordingSlots(room: number, max = 25) {
  const held = new Map<string, number>();
  const log: string[] = [];
  const slots: SslSlots = {
    async acquire(holders, leaseUntil, options) {
      log.push(`acquire ${holders.join(',')}${options?.force ? ' force' : ''}`);
      if (!options?.force && held.size + holders.length > room)
        return { granted: false, inFlight: held.size, max };
      for (const h of holders) held.set(h, leaseUntil);
      return { granted: true, inFlight: held.size, max };
    },
    async renew(holders, leaseUntil) {
      for (const h of holders) if (held.has(h)) held.set(h, leaseUntil);
    },
    async release(holders) {
      log.push(`release ${holders.join(',')}`);
      for (const h of holders) held.delete(h);
    },
    async learnMax(announced) {
      log.push(`learn ${announced}`);
    },
  };
  return { slots, held, log };
}

describe('Issue 22: one limit on SSL Labs across executions (the slot pool)', () => {
  const holder = `${REQUEST_ID} learn.example.com`;

  it('with no free slot the scan does not call SSL Labs: it answers how long to wait, with jitter', async () => {
    const pool = recordingSlots(0);
    const d = { ...deps(async () => hostResult('dns-resolving')), slots: pool.slots, random: () => 0.5 };

    const out = await checkSsl({ requestId: REQUEST_ID, websites: ['learn.example.com'] }, d);

    expect(d.analyze).not.toHaveBeenCalled();
    expect(out).toMatchObject({
      finished: false,
      polls: 0,
      nextPollSeconds: 30,
      slotWait: { waits: 1, queuedAt: NOW.toISOString(), waitSeconds: 30 },
    });
    expect(updatedFields().currentActivity).toBe(
      'Waiting for SSL Labs: 0 of its 25 assessments are in flight; the test of learn.example.com starts in about 30 seconds',
    );
  });

  it('the next try hands the waits back; the scan starts once a slot is free, and its clock starts then', async () => {
    const pool = recordingSlots(1);
    const d = { ...deps(async () => hostResult('dns-resolving')), slots: pool.slots };

    const out = await checkSsl(
      {
        requestId: REQUEST_ID,
        websites: ['learn.example.com'],
        slotWait: { waits: 3, queuedAt: '2026-11-28T09:00:00.000Z' },
      },
      d,
    );

    expect(d.analyze).toHaveBeenCalledWith('learn.example.com', { startNew: true });
    expect(out.slotWait).toBeUndefined();
    expect(out.startedAt).toBe(NOW.toISOString());
    // the lease lasts until the next poll and the longest the state machine may take to make it
    expect(pool.held.get(holder)).toBe(
      NOW.getTime() + (out.nextPollSeconds + SLOT_LEASE_MARGIN_SECONDS) * 1000,
    );
  });

  it('after the longest wait the scan takes its slot over the limit rather than never renewing', async () => {
    const pool = recordingSlots(0);
    const d = { ...deps(async () => hostResult('dns-resolving')), slots: pool.slots };

    await checkSsl(
      {
        requestId: REQUEST_ID,
        websites: ['learn.example.com'],
        slotWait: { waits: MAX_SLOT_WAITS, queuedAt: '2026-11-28T02:00:00.000Z' },
      },
      d,
    );

    expect(pool.log).toEqual([`acquire ${holder} force`]);
    expect(d.analyze).toHaveBeenCalledTimes(1);
  });

  it('a pool that cannot be read just now (throttled) is one more wait, not a failed step', async () => {
    const pool = recordingSlots(1);
    const d = {
      ...deps(async () => hostResult('dns-resolving')),
      slots: {
        ...pool.slots,
        acquire: async () => {
          throw new TransientError('Read SSL Labs slots failed temporarily: TimeoutError');
        },
      },
    };

    const out = await checkSsl({ requestId: REQUEST_ID, websites: ['learn.example.com'] }, d);

    expect(d.analyze).not.toHaveBeenCalled();
    expect(out).toMatchObject({ finished: false, slotWait: { waits: 1, waitSeconds: 20 } });
  });

  it('a verdict gives the slot back', async () => {
    const pool = recordingSlots(1);
    pool.held.set(holder, 0);
    const d = { ...deps(async () => hostResult('ready-a-plus')), slots: pool.slots };

    const out = await checkSsl(poll(), d);

    expect(out.finished).toBe(true);
    expect(pool.log).toEqual([`release ${holder}`]);
    expect(pool.held.size).toBe(0);
  });

  it("learns SSL Labs' announced maximum (X-Max-Assessments) when it differs from the pool's", async () => {
    const pool = recordingSlots(1, 10);
    const announced: AnalyzeResult = {
      ...hostResult('dns-resolving'),
      capacity: { maxAssessments: 25, currentAssessments: 1 },
    };
    const d = { ...deps(async () => announced), slots: pool.slots };

    await checkSsl({ requestId: REQUEST_ID, websites: ['learn.example.com'] }, d);

    expect(pool.log).toEqual([`acquire ${holder}`, 'learn 25']);
  });
});
