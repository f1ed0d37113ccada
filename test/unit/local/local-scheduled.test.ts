/**
 * The local runtime's scheduled functions (shared/functions.ts `everyMinutes`: the recovery sweep):
 * run once at start and then every interval, with the event an EventBridge schedule sends, never two
 * runs at once; a failure is logged and the next run still happens; stop() ends the timer and waits
 * for the run in progress.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOCAL_SCHEDULED_INTERVAL_MS, scheduledFunctions } from '#local/start/scheduled.ts';
import { FUNCTIONS } from '#shared/functions.ts';

const SCHEDULED = FUNCTIONS.filter((f) => f.everyMinutes).map((f) => f.name);

afterEach(() => vi.useRealTimers());

describe('local scheduled functions', () => {
  it('the recovery sweep, the weekly digest and the policy snapshots are the scheduled functions, and run locally more often than on AWS', () => {
    expect(SCHEDULED.sort()).toEqual(['keep-policy-snapshots', 'recover-requests', 'weekly-digest']);
    for (const name of SCHEDULED) {
      const aws = FUNCTIONS.find((f) => f.name === name)?.everyMinutes ?? 0;
      expect(LOCAL_SCHEDULED_INTERVAL_MS, name).toBeLessThan(aws * 60_000);
    }
  });

  it('runs at start with a Scheduled Event, then every interval; stop() ends it', async () => {
    vi.useFakeTimers();
    const calls: { name: string; event: Record<string, unknown> }[] = [];
    const scheduled = scheduledFunctions({
      invoke: async (name, event) => {
        calls.push({ name, event: event as Record<string, unknown> });
        return { started: [] };
      },
      log: () => undefined,
      intervalMs: 1000,
    });

    scheduled.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.name).sort()).toEqual([...SCHEDULED].sort());
    expect(calls[0]?.event).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events' });

    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toHaveLength(3 * SCHEDULED.length);

    await scheduled.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(3 * SCHEDULED.length);
  });

  it('never overlaps: a tick during a slow run is skipped, and stop() waits for the run in progress', async () => {
    vi.useFakeTimers();
    let active = 0;
    let most = 0;
    let finished = 0;
    const scheduled = scheduledFunctions({
      invoke: async () => {
        active++;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 2500));
        active--;
        finished++;
        return {};
      },
      log: () => undefined,
      intervalMs: 1000,
    });

    scheduled.start();
    await vi.advanceTimersByTimeAsync(2000);
    const stopping = scheduled.stop();
    await vi.advanceTimersByTimeAsync(1000);
    await stopping;

    expect(most).toBe(1);
    expect(finished).toBe(1);
  });

  it('a failing run is logged with the function name, and runNow returns its outputs by name', async () => {
    const messages: string[] = [];
    let fail = true;
    const scheduled = scheduledFunctions({
      invoke: async (name) => {
        if (name !== 'recover-requests') return { skipped: 'nothing to report' };
        if (fail) throw Object.assign(new Error('table unavailable'), { name: 'TransientError' });
        return { started: ['SR-1'] };
      },
      log: (m) => messages.push(m),
    });

    const first = await scheduled.runNow();
    fail = false;
    const second = await scheduled.runNow();
    await scheduled.stop();

    expect(messages).toEqual(['Scheduled function recover-requests failed: table unavailable']);
    expect(first).toMatchObject({
      'recover-requests': { error: 'TransientError', message: 'table unavailable' },
    });
    expect(second).toMatchObject({ 'recover-requests': { started: ['SR-1'] } });
  });
});
