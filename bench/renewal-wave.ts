/**
 * A renewal wave (issue 22 item 5): BENCH_WAVE_RESOURCES (default 500) Approved resources, each with
 * one website, whose annual renewals all start on the same day, on the local runtime with the fake
 * SSL Labs allowing 25 assessments in flight and answering 429 beyond. Reports how long the wave
 * took (wall clock, and on the local clock the Wait states follow), the most assessments SSL Labs saw
 * in flight at once, the 429s it sent, and the renewals lost (any that did not end RENEWED).
 *
 * The resources are written to the table as Approved requests (their vetting is not what is measured);
 * the renewals are started as their schedules start them, `{ requestId }` into annual-renewal. The
 * local clock stands still while they start (all are due at the same instant), then runs
 * WAVE_CLOCK_SPEED times faster than real time, so the waits between polls and for a slot (seconds to
 * minutes) keep their proportions without the bench lasting an hour.
 */
import '#shared/core/runtime/promise-with-resolvers.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalRuntime, startLocalRuntime } from '../local/runtime.ts';
import type { RequestRecord } from '../shared/workflow/records.ts';
import { openRuntimeStore } from '../test/support/runtime-store.ts';

const ROOT = join(import.meta.dirname, '..');
const RENEWAL_MACHINE = 'annual-renewal';
/** The fake SSL Labs' limit (its default, local/fake-ssllabs.ts), as SSL Labs announces its own. */
export const WAVE_MAX_ASSESSMENTS = 25;
/** Local-clock milliseconds per real millisecond while the wave runs. */
const WAVE_CLOCK_SPEED = Number(process.env.BENCH_WAVE_CLOCK_SPEED ?? 10);
const TICK_MS = 25;
/** Renewals started together, and the real time between groups (500 start within ~5 s real). */
const START_GROUP = 25;
const START_GAP_MS = 250;
/** The wave must end within this much real time (a lost renewal shows as unfinished, not a hang). */
const WAVE_DEADLINE_MS = 20 * 60_000;

export interface RenewalWaveResult {
  resources: number;
  /** The fake SSL Labs' maximum of assessments in flight (it answers 429 beyond). */
  maxAssessments: number;
  /** Real seconds from the first renewal started to the last one finished. */
  seconds: number;
  /** The same span on the local clock, which the Wait states follow (minutes). */
  localClockMinutes: number;
  /** The most assessments SSL Labs had in flight at once. */
  mostInFlight: number;
  /** 429 answers SSL Labs sent (a new assessment over its maximum). */
  received429: number;
  /** Assessments SSL Labs ran. */
  assessments: number;
  /** Waits for a slot (WaitForSslRetestSlot entered), over all renewals. */
  slotWaits: number;
  /** Renewals that did not end RENEWED (failed, denied, or unfinished at the deadline). */
  lost: number;
  unfinished: number;
}

/** An Approved request with one website and no DPA: its renewal is an SSL re-test only. */
function approvedRecord(template: RequestRecord, i: number, now: Date): RequestRecord {
  const n = String(i).padStart(4, '0');
  const requestId = `SR-20260820-WAVE${n}`;
  const host = `wave-${n}.example.com`;
  return {
    ...template,
    requestId,
    createdAt: '2026-08-01T09:00:00.000Z',
    updatedAt: now.toISOString(),
    status: 'APPROVED',
    currentStep: 16,
    currentActivity: 'Approved',
    submitted: {
      ...template.submitted,
      resourceName: `Wave Resource ${n}`,
      resourceUrl: `https://${host}`,
      studentDataShared: false,
      studentDataElements: [],
    },
    resource: {
      ...template.resource,
      name: `Wave Resource ${n}`,
      url: `https://${host}`,
      vendorName: `Wave Vendor ${n}`,
      studentDataShared: false,
    },
    security: {
      privacyReview: {
        decision: 'acceptable',
        studentDataRequired: false,
        vendorContactEmail: `privacy@${host}`,
        websites: [host],
        at: '2026-08-02T09:00:00.000Z',
      },
      ssl: {
        grade: 'A',
        endpoints: [{ ipAddress: '203.0.113.10', grade: 'A' }],
        passed: true,
        reason: 'SSL Labs grade A for every endpoint',
        testedAt: '2026-08-03T09:00:00.000Z',
      },
    },
  } as RequestRecord;
}

async function seedApproved(runtime: LocalRuntime, count: number): Promise<string[]> {
  const { store, close } = openRuntimeStore(runtime);
  const template = JSON.parse(
    readFileSync(join(ROOT, 'test', 'events', 'request-record.json'), 'utf8'),
  ) as RequestRecord;
  const ids: string[] = [];
  try {
    for (let i = 0; i < count; i += 25) {
      const batch = Array.from({ length: Math.min(25, count - i) }, (_, k) =>
        approvedRecord(template, i + k, new Date()),
      );
      await Promise.all(
        batch.map(async (record) => {
          await store.createRequest(record);
          // Its approval workflow is long over: the recovery sweep must not start one.
          await store.markRequestStarted(record.requestId, `arn:local:software-request:${record.requestId}`);
          ids.push(record.requestId);
        }),
      );
    }
  } finally {
    close();
  }
  return ids;
}

export async function measureRenewalWave(
  count = Number(process.env.BENCH_WAVE_RESOURCES ?? 500),
): Promise<RenewalWaveResult> {
  // Thousands of handler calls log at WARN, as every local handler does (local/log-level.ts): their
  // INFO lines would cost more than the calls. POWERTOOLS_LOG_LEVEL=INFO shows them.
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-wave-'));
  const runtime = await startLocalRuntime({
    port: 0,
    dataDir,
    // Recovery sweeps have nothing to do here; keep them out of the measurement.
    scheduledIntervalMs: 60 * 60_000,
  });
  let ticker: NodeJS.Timeout | undefined;
  try {
    const ids = await seedApproved(runtime, count);
    const arn = runtime.sfn.stateMachineArns().find((a) => a.endsWith(`:${RENEWAL_MACHINE}`));
    if (!arn) throw new Error(`No ${RENEWAL_MACHINE} state machine in the local runtime`);
    const started = performance.now();
    // Started in small groups, so that the one process serving every Lambda is not what the wave
    // measures (500 at one instant exhaust its sockets), with the local clock standing still.
    for (let i = 0; i < ids.length; i += START_GROUP) {
      for (const requestId of ids.slice(i, i + START_GROUP)) {
        runtime.sfn.startExecution({
          stateMachineArn: arn,
          name: `renewal-${requestId}`,
          input: JSON.stringify({ requestId }),
        });
      }
      await new Promise((r) => setTimeout(r, START_GAP_MS));
    }
    // The local clock stood still while they started: all 500 are due at the same instant.
    const clockStart = runtime.clock.now().getTime();
    ticker = setInterval(() => {
      void runtime.advanceClock(TICK_MS * WAVE_CLOCK_SPEED);
    }, TICK_MS);
    const deadline = Date.now() + WAVE_DEADLINE_MS;
    const running = () =>
      ids.filter((id) => runtime.executions.get(RENEWAL_MACHINE, `renewal-${id}`)?.status === 'RUNNING')
        .length;
    while (running() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const seconds = (performance.now() - started) / 1000;
    const localClockMinutes = (runtime.clock.now().getTime() - clockStart) / 60_000;

    let lost = 0;
    let unfinished = 0;
    let slotWaits = 0;
    for (const id of ids) {
      const record = runtime.executions.get(RENEWAL_MACHINE, `renewal-${id}`);
      if (record?.status === 'RUNNING') unfinished += 1;
      const outcome = record?.output
        ? (JSON.parse(record.output) as { outcome?: string }).outcome
        : undefined;
      if (record?.status !== 'SUCCEEDED' || outcome !== 'RENEWED') lost += 1;
      slotWaits += (record?.events ?? []).filter(
        (e) => e.type === 'StateEntered' && e.stateName === 'WaitForSslRetestSlot',
      ).length;
    }
    const stats = runtime.fakeSslLabs?.stats();
    return {
      resources: count,
      maxAssessments: WAVE_MAX_ASSESSMENTS,
      seconds,
      localClockMinutes,
      mostInFlight: stats?.maxInFlight ?? -1,
      received429: stats?.rejected429 ?? -1,
      assessments: stats?.started ?? -1,
      slotWaits,
      lost,
      unfinished,
    };
  } finally {
    if (ticker) clearInterval(ticker);
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The wave's targets (issue 22): nothing lost, never more than SSL Labs' maximum in flight. */
export function renewalWaveTargets(wave: RenewalWaveResult) {
  return [
    { target: 'renewal wave: 0 renewals lost', value: wave.lost, pass: wave.lost === 0 },
    {
      target: `renewal wave: at most ${wave.maxAssessments} SSL Labs assessments in flight`,
      value: wave.mostInFlight,
      pass: wave.mostInFlight >= 0 && wave.mostInFlight <= wave.maxAssessments,
    },
  ];
}
