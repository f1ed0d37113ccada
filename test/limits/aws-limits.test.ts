/**
 * AWS limits are checked invariants (scripts/aws-limits.ts): the worst legal execution of each state
 * machine stays inside Step Functions' quotas with a margin, and the names the code generates fit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_SLOT_WAITS, SLOT_LEASE_MARGIN_SECONDS } from '#shared/vetting/ssl/slots.ts';
import {
  AWS_LIMITS,
  computeLimits,
  type Definition,
  loadMachine,
  replacementCap,
  SLOT_WAIT_PATH,
  stateCost,
  TARGETS,
  taskTimeoutsShorterThanTheirLambda,
  worstCase,
} from '../../scripts/aws-limits.ts';

const DAY = 86_400;
const report = await computeLimits();

describe('Step Functions quotas, for the worst legal execution (SSL wait cap at its largest)', () => {
  it.each([
    ['software-request', report.softwareRequest],
    ['annual-renewal', report.annualRenewal],
    ['resource-watch', report.resourceWatch],
  ])('%s ends well inside one year (a Standard execution is stopped at 365 days)', (_name, worst) => {
    expect(worst.seconds).toBeLessThanOrEqual(TARGETS.executionSeconds);
  });

  it.each([
    ['software-request', report.softwareRequest],
    ['annual-renewal', report.annualRenewal],
    ['resource-watch', report.resourceWatch],
  ])('%s writes at most 20,000 history events (the quota is 25,000)', (_name, worst) => {
    expect(worst.events).toBeLessThanOrEqual(TARGETS.historyEvents);
  });

  it('no state carries more than 200 KB with every input at its limit (the quota is 256 KB)', () => {
    expect(report.largestStateBytes).toBeLessThanOrEqual(TARGETS.stateBytes);
  });

  it.each(['softwareRequest', 'annualRenewal', 'resourceWatch'] as const)(
    'every Lambda task of %s waits longer than its function may run (a slow call is retried, not orphaned)',
    (machine) => {
      expect(taskTimeoutsShorterThanTheirLambda(loadMachine(machine))).toEqual([]);
    },
  );

  it('execution and schedule names fit their quotas', () => {
    expect(report.names.executionName).toBeLessThanOrEqual(AWS_LIMITS.executionNameLength);
    expect(report.names.resumedExecutionName).toBeLessThanOrEqual(AWS_LIMITS.executionNameLength);
    expect(report.names.renewalSchedule).toBeLessThanOrEqual(AWS_LIMITS.scheduleNameLength);
    expect(report.names.reminderSchedule).toBeLessThanOrEqual(AWS_LIMITS.scheduleNameLength);
  });
});

describe('the figures the README quotes', () => {
  it('docs/aws-limits.json is what the check computes today (npm run limits rewrites it)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../docs/aws-limits.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;

    expect(committed).toMatchObject(JSON.parse(JSON.stringify(report)) as Record<string, unknown>);
  });
});

describe('the check itself', () => {
  const request = loadMachine('softwareRequest');

  it('counts every vetting round the replacement loop allows: one more round would pass a year', () => {
    const cap = replacementCap(request) ?? 0;
    const oneMore = structuredClone(request);
    for (const state of Object.values(oneMore.States)) {
      for (const c of state.Choices ?? [])
        if (c.Variable === '$.replacementCount') c.NumericGreaterThanEquals = cap + 1;
    }

    const worst = worstCase(oneMore, { sslMaxWaitSeconds: 3600 });

    expect(worst.rounds).toBe(cap + 2);
    expect(worst.seconds).toBeGreaterThan(365 * DAY);
  });

  it('counts every question a request may ask: each one more adds a reply wait and a restarted review', () => {
    const more = structuredClone(request);
    for (const state of Object.values(more.States)) {
      for (const c of state.Choices ?? [])
        if (c.Variable === '$.questions.asked' && c.NumericGreaterThanEquals !== undefined)
          c.NumericGreaterThanEquals += 1;
    }

    const added =
      worstCase(more, { sslMaxWaitSeconds: 86_400 }).seconds -
      worstCase(request, { sslMaxWaitSeconds: 86_400 }).seconds;
    // The longest question: a 7-day reply wait, then the longest review (14 days) again.
    expect(added).toBeGreaterThanOrEqual(21 * DAY);
  });

  it('counts every replacement: a second one (three vetting rounds) would pass a year', () => {
    const more = structuredClone(request);
    for (const state of Object.values(more.States)) {
      for (const c of state.Choices ?? [])
        if (c.Variable === '$.replacementCount' && c.NumericGreaterThanEquals !== undefined)
          c.NumericGreaterThanEquals += 1;
    }

    expect(worstCase(request, { sslMaxWaitSeconds: 86_400 }).seconds).toBeLessThan(365 * DAY);
    expect(worstCase(more, { sslMaxWaitSeconds: 86_400 }).seconds).toBeGreaterThan(365 * DAY);
  });

  it('refuses the question loop without its guard', () => {
    const unguarded = structuredClone(request);
    for (const state of Object.values(unguarded.States)) {
      if (state.Choices?.[0]?.Variable === '$.questions.asked') state.Choices = [];
    }

    expect(() => worstCase(unguarded, { sslMaxWaitSeconds: 60 })).toThrow(/without a bound/);
  });

  it('refuses a loop it has no bound for', () => {
    const looping: Definition = {
      StartAt: 'Ask',
      States: {
        Ask: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'Again' },
        Again: { Type: 'Choice', Choices: [{ Next: 'Ask' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };

    expect(() => worstCase(looping, { sslMaxWaitSeconds: 60 })).toThrow(/without a bound/);
  });

  it.each(['softwareRequest', 'annualRenewal'] as const)(
    '%s: every wait for an SSL Labs slot is counted (issue 22): MAX_SLOT_WAITS rounds per scan',
    (machine) => {
      const definition = loadMachine(machine);
      const withoutSlots = structuredClone(definition);
      for (const [name, state] of Object.entries(withoutSlots.States)) {
        state.Choices = state.Choices?.filter((c) => c.Variable !== '$.ssl.scan.slotWait');
        if (state.SecondsPath === SLOT_WAIT_PATH) delete withoutSlots.States[name];
      }

      const added =
        worstCase(definition, { sslMaxWaitSeconds: 3600 }).events -
        worstCase(withoutSlots, { sslMaxWaitSeconds: 3600 }).events;

      // Each round: Wait (2 events), the Lambda task with its retries (17), the Choice (2); at least once.
      expect(added).toBeGreaterThanOrEqual(MAX_SLOT_WAITS * 21);
    },
  );

  it.each(['softwareRequest', 'annualRenewal'] as const)(
    "%s: a slot's lease outlasts the SSL task's timeout and retries (a live scan never loses its slot)",
    (machine) => {
      const definition = loadMachine(machine);
      const sslTasks = Object.values(definition.States).filter((s) =>
        s.Parameters?.FunctionName?.includes('CheckSslFunctionArn'),
      );

      expect(sslTasks.length).toBeGreaterThanOrEqual(3);
      for (const task of sslTasks) expect(stateCost(task).seconds).toBeLessThan(SLOT_LEASE_MARGIN_SECONDS);
    },
  );

  it('prices a Lambda task with its retries: 5 events, plus 3 for each failed attempt', () => {
    const cost = stateCost({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      TimeoutSeconds: 60,
      Retry: [
        {
          ErrorEquals: ['TransientError'],
          IntervalSeconds: 2,
          MaxAttempts: 4,
          BackoffRate: 2,
          MaxDelaySeconds: 30,
        },
      ],
    });

    expect(cost).toEqual({ events: 5 + 4 * 3, transitions: 5, seconds: 5 * 60 + 2 + 4 + 8 + 16 });
  });
});
