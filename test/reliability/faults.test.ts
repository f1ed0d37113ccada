/**
 * Reliability, injected faults: over 100 workflows through the local runtime while 20% of the
 * handlers' DynamoDB calls and 20% of their emails fail as AWS fails them when it throttles
 * (LocalRuntimeOptions.faults, a seeded random), and SSL Labs answers 529 (busy) for a while for some
 * websites. The client behaves as a real one: a 5xx is retried, a submission with the same
 * Idempotency-Key. Every workflow must end as its scenario says; websites whose SSL Labs answers
 * fail permanently (HTTP 400, or 500 on every call) must end ERROR with one operator email. Then every
 * request is reconciled with its execution and its emails (test/reliability/reconcile.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSslLabs, startFakeSslLabs } from '#local/fake-ssllabs.ts';
import type { LocalRuntime } from '#local/runtime.ts';
import type { TaskKind } from '#shared/workflow/task-kinds.ts';
import { approveAll, type Policy, withOverrides } from '../../bench/driver.ts';
import { removeDataDir, requestBody, startTestRuntime } from '../e2e/helpers.ts';
import { atLeast, exactly, info, misses, recordFigures } from './figures.ts';
import { type Expected, observe, reconcile } from './reconcile.ts';
import { fastDataDir, fastRetries, SEED, seededRandom, sweepUntilDone } from './support.ts';
import { TolerantDriver } from './tolerant-driver.ts';

const RATE = 0.2;
const random = seededRandom(SEED);
let armed = false;
const injected = { dynamodb: 0, ses: 0, sslBusy: 0, sslPermanent: 0 };

// ---- SSL Labs: the built-in fake behind a front that answers busy or fails for chosen hosts --------

let fake: FakeSslLabs;
let front: ReturnType<typeof createServer>;
let frontUrl: string;
const sslCalls = new Map<string, number>();

async function startSslFront(): Promise<void> {
  fake = await startFakeSslLabs({ pollsUntilReady: 1 });
  front = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const host = url.searchParams.get('host') ?? '';
    const n = (sslCalls.get(host) ?? 0) + 1;
    sslCalls.set(host, n);
    const busyFor = /^busy(\d+)-/.exec(host)?.[1];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (busyFor && n <= Number(busyFor)) {
      injected.sslBusy++;
      return send(529, { errors: [{ message: 'Running at full capacity. Please try again later.' }] });
    }
    if (host.startsWith('perm400-')) {
      injected.sslPermanent++;
      return send(400, { errors: [{ field: 'host', message: 'Invalid host' }] });
    }
    if (host.startsWith('perm500-')) {
      injected.sslPermanent++;
      return send(500, { errors: [{ message: 'Internal error' }] });
    }
    fetch(`${fake.url.replace(/\/api\/v4$/, '')}${req.url}`, {
      headers: { email: String(req.headers.email ?? '') },
    }).then(
      async (answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(await answer.text());
      },
      () => send(502, {}),
    );
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}/api/v4`;
}

// ---- the scenarios ---------------------------------------------------------------------------------

interface Scenario extends Expected {
  body: Record<string, unknown>;
  policy: Policy;
}

const noStudentData: Policy = withOverrides({
  'privacy-review': () => ({
    decision: 'acceptable',
    studentDataRequired: 'no',
    vendorContactEmail: 'privacy@vendor.example',
  }),
});
const curriculumDenies: Policy = withOverrides({
  'privacy-review': () => ({
    decision: 'acceptable',
    studentDataRequired: 'no',
    vendorContactEmail: 'privacy@vendor.example',
  }),
  'curriculum-review': () => ({ decision: 'deny', comment: 'Does not fit the curriculum' }),
});

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  const free = { cost: 0, studentDataShared: false, studentDataElements: undefined };
  const add = (
    n: number,
    label: string,
    make: (i: number, name: string) => Omit<Scenario, 'requestId' | 'resourceName'>,
  ) => {
    for (let i = 0; i < n; i++) {
      const name = `Fault ${label} ${String(i).padStart(3, '0')}`;
      out.push({ requestId: '', resourceName: name, ...make(i, name) });
    }
  };
  const all: TaskKind[] = [
    'privacy-review',
    'dpa-signature',
    'curriculum-review',
    'technical-review',
    'procurement',
    'license',
    'installation',
  ];
  const freeKinds: TaskKind[] = ['privacy-review', 'curriculum-review', 'technical-review', 'installation'];
  add(24, 'Paid', (i, name) => ({
    body: requestBody({
      resourceName: name,
      resourceKind: 'software',
      resourceUrl: `https://paid-${i}.example.com`,
    }),
    policy: approveAll,
    status: 'APPROVED',
    kinds: all,
    dpaEmail: true,
  }));
  add(40, 'Free', (_i, name) => ({
    body: requestBody({ resourceName: name, resourceKind: 'application', resourceUrl: undefined, ...free }),
    policy: noStudentData,
    status: 'APPROVED',
    kinds: freeKinds,
    dpaEmail: false,
  }));
  add(18, 'Denied', (_i, name) => ({
    body: requestBody({ resourceName: name, resourceKind: 'application', resourceUrl: undefined, ...free }),
    policy: curriculumDenies,
    status: 'DENIED',
    kinds: ['privacy-review', 'curriculum-review'],
    dpaEmail: false,
  }));
  // busy for 3 calls: the client's own retries; for 6: beyond them, so the workflow waits and polls again
  add(12, 'Busy', (i, name) => ({
    body: requestBody({
      resourceName: name,
      resourceKind: 'web-service',
      resourceUrl: `https://busy${i % 2 ? 3 : 6}-${i}.example.com`,
      ...free,
    }),
    policy: noStudentData,
    status: 'APPROVED',
    kinds: freeKinds,
    dpaEmail: false,
  }));
  add(6, 'Broken', (i, name) => ({
    body: requestBody({
      resourceName: name,
      resourceKind: 'web-service',
      resourceUrl: `https://perm${i % 3 ? 400 : 500}-${i}.example.com`,
      ...free,
    }),
    policy: noStudentData,
    status: 'ERROR',
    kinds: ['privacy-review'],
    dpaEmail: false,
  }));
  return out;
}

// ---- the run -----------------------------------------------------------------------------------------

const dataDir = fastDataDir('faults');
let runtime: LocalRuntime;

beforeAll(async () => {
  await startSslFront();
  runtime = await startTestRuntime(dataDir, {
    sslLabsApiBase: frontUrl,
    faults: {
      dynamodb: () => {
        const fail = armed && random() < RATE;
        if (fail) injected.dynamodb++;
        return fail;
      },
      ses: (op) => {
        const fail = armed && (op === 'SendEmail' || op === 'SendRawEmail') && random() < RATE;
        if (fail) injected.ses++;
        return fail;
      },
    },
    waitTimeOverrides: { WaitForSslScan: 0, WaitForSslRetest: 0 },
    retryIntervalOverrides: fastRetries(20),
  });
});

afterAll(async () => {
  await runtime?.stop();
  await fake?.close();
  front?.close();
  removeDataDir(dataDir);
});

describe('reliability: 20% of DynamoDB calls and emails fail, SSL Labs is busy; every workflow ends right', () => {
  it('over 100 workflows finish as their scenarios say, and reconcile with their executions and emails', async () => {
    const driver = new TolerantDriver(runtime, 30, dataDir);
    const all = scenarios().filter((_, i) => i % Number(process.env.RELIABILITY_THIN ?? 1) === 0);
    armed = true;
    const t0 = Date.now();
    for (let i = 0; i < all.length; i += 12) {
      await Promise.all(
        all.slice(i, i + 12).map(async (s, j) => {
          s.requestId = await driver.submit(s.body, `faults-${SEED}-${i + j}`);
        }),
      );
    }
    const policies = new Map(all.map((s) => [s.requestId, s.policy]));
    const t1 = Date.now();
    // Two and a half minutes, and on while the workflows still move (a machine under load is slow).
    const statuses = await driver.driveToEnd(policies, 150_000, { idleMs: 45_000 });
    const t2 = Date.now();

    // every execution at rest (the outcome email is the last step), then faults off to read
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const running = (await (await fetch(`${runtime.baseUrl}/_local/executions`)).json()) as {
        status: string;
      }[];
      if (!running.some((e) => e.status === 'RUNNING')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    armed = false;
    // The recovery sweep (every 15 minutes on AWS) sends an acknowledgement whose every retry failed,
    // and a decision email whose retries failed, once a minute old: run it as it would have run by then
    // (again while a round finds work: a round finishes at most 50 decisions). The last decisions were
    // made just before t2, so the sweep waits until they are a minute old too.
    const minuteOld = t2 + 61_000 - Date.now();
    if (minuteOld > 0) await new Promise((r) => setTimeout(r, minuteOld));
    const sweeps = await sweepUntilDone(runtime);
    const t3 = Date.now();
    const observed = await observe(driver, all);
    const outbox = await runtime.outbox();
    const r = reconcile(all, observed, outbox);
    const unfinished = all.filter(
      (s) => !['APPROVED', 'DENIED', 'ERROR'].includes(statuses.get(s.requestId) ?? ''),
    );
    const right = all.filter((s) => observed.get(s.requestId)?.view?.status === s.status).length;
    const errors = all.filter((s) => s.status === 'ERROR');
    const errorsWithOperatorEmail = errors.filter(
      (s) =>
        observed.get(s.requestId)?.view?.status === 'ERROR' &&
        outbox.some((m) => m.subject.includes(`System error on request ${s.requestId}`)),
    ).length;

    const figures = [
      atLeast('workflows', all.length, 100),
      exactly('finished with the expected outcome', right, all.length),
      exactly('unfinished', unfinished.length, 0),
      exactly('permanent SSL Labs failures → ERROR + operator email', errorsWithOperatorEmail, errors.length),
      exactly('lost requests or executions', r.lost, 0),
      // Every email is retried: a step's by the state machine, a decision's and the acknowledgement by
      // the recovery sweep (run above), the write after an email in the call (retryAfterEmail).
      exactly('lost emails', r.lostEmails, 0),
      exactly('inconsistent (request vs execution vs audit)', r.inconsistent, 0),
      // A retried assign-task of the same wait keeps the link it emailed (shared/tasks/task-assign.ts).
      exactly('duplicated emails', r.duplicated, 0),
      exactly('decisions answered 5xx that were in fact recorded', driver.counts.fiveHundredButRecorded, 0),
      exactly('other unexpected answers to deciders', driver.counts.unexpected.length, 0),
      info('injected DynamoDB failures', injected.dynamodb),
      info('injected SES failures', injected.ses),
      info('SSL Labs busy (529) answers', injected.sslBusy),
      info('SSL Labs permanent failures (400/500 answers)', injected.sslPermanent),
      info('5xx answers retried by the client', driver.counts.retried5xx),
      info('task links answering 410 (replaced task)', driver.counts.goneLinks),
      // Step Functions did not take a decision and its claim could not be released (an injected
      // DynamoDB failure): the decider is told it is kept, and the recovery sweep delivers it.
      info('decisions answered 202, kept for the recovery sweep', driver.counts.keptForSweep),
      info('emails sent', outbox.length),
      info('recovery sweeps at the end (each finishes up to 50 decisions; 15 minutes apart on AWS)', sweeps),
      info('seconds submitting', Math.round((t1 - t0) / 1000)),
      info('seconds driving to the end', Math.round((t2 - t1) / 1000)),
      info('seconds until every execution ended', Math.round((t3 - t2) / 1000)),
    ];
    const unexpectedErrors = outbox
      .filter(
        (m) =>
          m.subject.includes('System error on request') &&
          !errors.some((e) => m.subject.includes(e.requestId)),
      )
      .map((m) => m.subject.replace(/SR-\S+/, 'SR-…'));
    const causes = [...new Set(unexpectedErrors)].map(
      (c) => `unexpected ERROR ×${unexpectedErrors.filter((u) => u === c).length}: ${c}`,
    );
    recordFigures('faults', figures, [
      ...causes.slice(0, 5),
      ...r.details.slice(0, 12),
      ...driver.counts.recordedAfter5xx.slice(0, 5),
      ...driver.counts.unexpected.slice(0, 5),
      ...unfinished
        .slice(0, 5)
        .map((s) => `unfinished: ${s.requestId} ${s.resourceName} (${statuses.get(s.requestId)})`),
    ]);
    expect(
      misses(figures),
      [...r.details, ...driver.counts.recordedAfter5xx, ...driver.counts.unexpected].join('\n'),
    ).toEqual([]);
  }, 600_000);
});
