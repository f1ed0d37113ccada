/** Human-step deadlines as configuration (shared/workflow/deadlines.ts) and the timers that keep them locally. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClockTimers, MAX_TIMER_MS } from '#local/clock-timers.ts';
import { readDeadlineDays } from '#local/config.ts';
import {
  DEFAULT_DEADLINE_DAYS,
  deadlineSecondsPlaceholder,
  parseDeadlineDays,
  resolveDeadlines,
} from '#shared/workflow/deadlines.ts';
import { TASK_KINDS } from '#shared/workflow/task-kinds.ts';

describe('deadline placeholders in ASL text', () => {
  it('every task kind but the SSL remediation (it waits for what is left of its window) has a default deadline and a placeholder of its own', () => {
    expect(Object.keys(DEFAULT_DEADLINE_DAYS).sort()).toEqual(
      Object.keys(TASK_KINDS)
        .filter((kind) => kind !== 'ssl-remediation')
        .sort(),
    );
    expect(deadlineSecondsPlaceholder('privacy-review')).toBe('${PrivacyReviewDeadlineSeconds}');
  });

  it('puts seconds where the whole JSON value is the placeholder and days inside texts', () => {
    const asl =
      '{"TimeoutSeconds": "${PrivacyReviewDeadlineSeconds}", "reason": "within ${PrivacyReviewDeadlineDays} days", "F": "${SendDpaFunctionArn}"}';

    const resolved = JSON.parse(resolveDeadlines(asl, { ...DEFAULT_DEADLINE_DAYS, 'privacy-review': 30 }));

    expect(resolved).toEqual({
      TimeoutSeconds: 30 * 86_400,
      reason: 'within 30 days',
      F: '${SendDpaFunctionArn}',
    });
  });

  it('refuses a placeholder naming no task kind, or a seconds placeholder inside a text', () => {
    expect(() => resolveDeadlines('{"T": "${PrivacyReveiwDeadlineSeconds}"}')).toThrow(/names no task kind/);
    expect(() => resolveDeadlines('{"T": "after ${LicenseDeadlineSeconds} s"}')).toThrow(/whole JSON value/);
  });

  it('keeps the defaults for kinds a district leaves out and refuses anything but an object', () => {
    expect(parseDeadlineDays({ license: 7 })).toEqual({ ...DEFAULT_DEADLINE_DAYS, license: 7 });
    expect(() => parseDeadlineDays([14])).toThrow(/must be an object/);
  });
});

describe('timers on the local clock', () => {
  it('a deadline beyond what a Node timer holds (24.8 days) does not fire early', async () => {
    let now = 0;
    const timers = new ClockTimers(() => now);
    let fired = 0;
    timers.at(MAX_TIMER_MS * 2, () => fired++);

    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(0);

    now = MAX_TIMER_MS * 2;
    timers.check();
    expect(fired).toBe(1);
    expect(timers.size).toBe(0);
  });

  it('a cancelled timer never fires', () => {
    let now = 0;
    const timers = new ClockTimers(() => now);
    let fired = 0;
    const cancel = timers.at(1000, () => fired++);
    cancel();
    now = 5000;
    timers.check();
    expect(fired).toBe(0);
  });
});

describe('the local runtime reads the deadlines cdk.json deploys, validated as at synth', () => {
  const withCdkJson = (context: Record<string, unknown>) => {
    const dir = mkdtempSync(join(tmpdir(), 'deadlines-'));
    const file = join(dir, 'cdk.json');
    writeFileSync(file, JSON.stringify({ context }));
    try {
      return readDeadlineDays(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('takes cdk.json humanStepDeadlineDays, with the defaults for kinds it leaves out', () => {
    expect(withCdkJson({ humanStepDeadlineDays: { installation: 10 } })).toEqual({
      ...DEFAULT_DEADLINE_DAYS,
      installation: 10,
    });
    expect(withCdkJson({})).toEqual(DEFAULT_DEADLINE_DAYS);
  });

  it('refuses a deadline out of bounds, or deadlines that would pass the one-year execution limit', () => {
    expect(() => withCdkJson({ humanStepDeadlineDays: { license: 0 } })).toThrow(
      /license: must be a whole number/,
    );
    const long = Object.fromEntries(Object.keys(DEFAULT_DEADLINE_DAYS).map((kind) => [kind, 60]));
    expect(() => withCdkJson({ humanStepDeadlineDays: long })).toThrow(/stays within 360 days/);
  });
});
