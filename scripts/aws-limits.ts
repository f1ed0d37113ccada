/**
 * AWS limits as computed invariants (`npm run limits`; test/limits/aws-limits.test.ts runs the same
 * checks in `npm test`). The local engine enforces none of Step Functions' quotas, so this reads both
 * ASL files and the configuration bounds and works out the worst legal execution:
 *   - duration: a Standard execution stops at one year with ExecutionTimedOut, which no Catch sees;
 *   - history events: an execution fails past 25,000;
 *   - state transitions (what Step Functions bills);
 *   - the names the code generates: execution names (80, resumed ones included), schedule names (64).
 *
 * Worst legal path: every human step is decided a moment before its deadline (cdk.json
 * humanStepDeadlineDays; cdk/config.ts refuses deadlines whose worst path would pass the target), every automated task
 * fails as often as its Retry allows before it succeeds, every SSL Labs scan runs to the wait cap
 * with the most polls it can make (shared/vetting/ssl/scan.ts maxScanCalls) after the most waits for an SSL
 * Labs slot (shared/vetting/ssl/slots.ts MAX_SLOT_WAITS, each at its longest), and every loop runs as often as
 * its guard allows (the replacement loop of SOP 11, the questions of SOP 4 and the re-routing of
 * SOP 3/7, each read from the ASL's own guard Choices: scripts/limits/asl.ts LOOP_COUNTERS).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renewalScheduleName } from '#shared/renewal/renewal.ts';
import { reminderScheduleName } from '#shared/tasks/reminder-schedules.ts';
import { newTaskId } from '#shared/tasks/task-links.ts';
import type { DeadlineDays } from '#shared/workflow/deadlines.ts';
import { newRequestId } from '#shared/workflow/request-id.ts';
import { resumedExecutionName } from '#shared/workflow/resume-points.ts';
import {
  configuredDeadlineDays,
  EXECUTION_TARGET_SECONDS,
  loadMachine,
  SSL_MAX_WAIT_SECONDS_LIMIT,
  type WorstCase,
  worstCase,
} from './limits/asl.ts';
import { largestStateBytes } from './limits/payload.ts';

export * from './limits/asl.ts';
export { largestStateBytes } from './limits/payload.ts';

const DAY = 86_400;

/** AWS quotas (Step Functions Standard, EventBridge Scheduler) and the margins this project keeps. */
export const AWS_LIMITS = {
  executionSeconds: 365 * DAY,
  historyEvents: 25_000,
  executionNameLength: 80,
  scheduleNameLength: 64,
  stateBytes: 256 * 1024,
} as const;
export const TARGETS = {
  executionSeconds: EXECUTION_TARGET_SECONDS,
  historyEvents: 20_000,
  stateBytes: 200 * 1024,
} as const;

export { deadlinesProblem, SSL_MAX_WAIT_SECONDS_LIMIT } from './limits/asl.ts';

export interface LimitsReport {
  /** The deadlines the worst case was computed with (cdk.json's). */
  humanStepDeadlineDays: DeadlineDays;
  softwareRequest: WorstCase;
  annualRenewal: WorstCase;
  /** Issue 22: the watch between renewals (a changed policy, an SSL spot check with its remediation). */
  resourceWatch: WorstCase;
  /** The incident-review and deletion-confirmation waits (statemachine/resource-stewardship.asl.json). */
  resourceStewardship: WorstCase;
  largestStateBytes: number;
  names: {
    executionName: number;
    /** `npm run resume`'s `<requestId>-r<n>`, for up to 9,999 resumes of one request. */
    resumedExecutionName: number;
    renewalSchedule: number;
    reminderSchedule: number;
  };
}

/** The longest names the code can generate, from the generators themselves. */
export function longestNames(): LimitsReport['names'] {
  const requestId = newRequestId(new Date('9999-12-31T23:59:59Z'), () => new Uint8Array(5).fill(255));
  const farDue = new Date('9999-12-31T00:00:00Z');
  return {
    executionName: requestId.length,
    resumedExecutionName: resumedExecutionName(requestId, 9_999).length,
    renewalSchedule: renewalScheduleName(requestId, farDue).length,
    reminderSchedule: Math.max(
      reminderScheduleName(newTaskId(), 1).length,
      reminderScheduleName(newTaskId(), 2).length,
    ),
  };
}

export async function computeLimits(
  sslMaxWaitSeconds = SSL_MAX_WAIT_SECONDS_LIMIT,
  deadlines: DeadlineDays = configuredDeadlineDays(),
): Promise<LimitsReport> {
  return {
    humanStepDeadlineDays: deadlines,
    softwareRequest: worstCase(loadMachine('softwareRequest', deadlines), { sslMaxWaitSeconds }),
    annualRenewal: worstCase(loadMachine('annualRenewal', deadlines), { sslMaxWaitSeconds }),
    resourceWatch: worstCase(loadMachine('resourceWatch', deadlines), { sslMaxWaitSeconds }),
    resourceStewardship: worstCase(loadMachine('resourceStewardship', deadlines), { sslMaxWaitSeconds }),
    largestStateBytes: await largestStateBytes(),
    names: longestNames(),
  };
}

async function main(): Promise<void> {
  const report = await computeLimits();
  // The README's Limits section quotes this file.
  writeFileSync(
    join(import.meta.dirname, '..', 'docs', 'aws-limits.json'),
    `${JSON.stringify({ awsLimits: AWS_LIMITS, targets: TARGETS, sslMaxWaitSeconds: SSL_MAX_WAIT_SECONDS_LIMIT, ...report }, null, 2)}\n`,
  );
  const row = (label: string, value: string, limit: string) =>
    console.log(`  ${label.padEnd(44)} ${value.padStart(12)}   ${limit}`);
  console.log(
    `Worst legal executions (SSL wait cap at its largest allowed value, ${SSL_MAX_WAIT_SECONDS_LIMIT} s; human-step deadlines as cdk.json sets them: ${Object.entries(
      report.humanStepDeadlineDays,
    )
      .map(([kind, days]) => `${kind} ${days} d`)
      .join(', ')})`,
  );
  for (const [name, w] of Object.entries({
    'software-request': report.softwareRequest,
    'annual-renewal': report.annualRenewal,
    'resource-watch': report.resourceWatch,
    'resource-stewardship': report.resourceStewardship,
  })) {
    console.log(
      `${name}: ${w.rounds} vetting round(s), ${w.sslCallsPerScan} SSL Labs calls and ${w.sslSlotWaitsPerScan} waits for a slot per scan at most`,
    );
    row(
      'duration',
      `${(w.seconds / DAY).toFixed(1)} days`,
      `target <= ${TARGETS.executionSeconds / DAY}, AWS ${AWS_LIMITS.executionSeconds / DAY}`,
    );
    row(
      'history events',
      String(w.events),
      `target <= ${TARGETS.historyEvents}, AWS ${AWS_LIMITS.historyEvents}`,
    );
    row('state transitions', String(w.transitions), '');
  }
  console.log('State payload');
  row(
    'largest state (maximal inputs, longest path)',
    `${(report.largestStateBytes / 1024).toFixed(1)} KB`,
    `target <= ${TARGETS.stateBytes / 1024} KB, AWS ${AWS_LIMITS.stateBytes / 1024} KB`,
  );
  console.log('Generated names');
  row(
    'execution name (request id)',
    String(report.names.executionName),
    `AWS ${AWS_LIMITS.executionNameLength}`,
  );
  row(
    'resumed execution name (npm run resume)',
    String(report.names.resumedExecutionName),
    `AWS ${AWS_LIMITS.executionNameLength}`,
  );
  row('renewal schedule name', String(report.names.renewalSchedule), `AWS ${AWS_LIMITS.scheduleNameLength}`);
  row(
    'reminder schedule name',
    String(report.names.reminderSchedule),
    `AWS ${AWS_LIMITS.scheduleNameLength}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
