/** The ASL files themselves: valid, traceable to every SOP step, and built to the design's rules. */
import { existsSync, readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { loadDefinition } from '#local/asl-definition.ts';
import { FUNCTIONS, STATE_MACHINES } from '#shared/functions.ts';
import { MAX_REMEDIATION_WAIT_SECONDS } from '#shared/vetting/ssl-notice.ts';
import {
  DEFAULT_DEADLINE_DAYS,
  type DeadlineKind,
  deadlineSecondsPlaceholder,
} from '#shared/workflow/deadlines.ts';
import { TASK_KINDS } from '#shared/workflow/task-kinds.ts';

const FILES = Object.values(STATE_MACHINES).map((m) => m.file);
const TRANSIENT = 'TransientError';

describe.each(FILES)('%s', (file) => {
  const definition = loadDefinition(file);
  const states = Object.entries(definition.States) as unknown as [string, Record<string, unknown>][];
  const tasks = states.filter(([, s]) => s.Type === 'Task');

  it('passes asl-validator with path and ARN checks', () => {
    // The validator annotates the object it checks (QueryLanguage), so it gets its own copy.
    const { isValid, errors } = aslValidator(loadDefinition(file) as never, {
      checkPaths: true,
      checkArn: true,
    });
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('uses JSONPath only (the local engine ignores JSONata, Arguments, Output and Assign)', () => {
    const text = JSON.stringify(definition);
    for (const key of ['"QueryLanguage"', '"Arguments"', '"Output"', '"Assign"'])
      expect(text).not.toContain(key);
  });

  it('gives every state a Comment', () => {
    expect(states.filter(([, s]) => typeof s.Comment !== 'string' || !s.Comment).map(([n]) => n)).toEqual([]);
  });

  it('retries transient errors with bounded, jittered backoff and catches everything else on every Task', () => {
    for (const [name, s] of tasks) {
      const retry =
        (s.Retry as {
          ErrorEquals: string[];
          MaxAttempts: number;
          JitterStrategy: string;
          MaxDelaySeconds: number;
        }[]) ?? [];
      expect(
        retry.some(
          (r) =>
            r.ErrorEquals.includes(TRANSIENT) && r.ErrorEquals.includes('Lambda.TooManyRequestsException'),
        ),
        name,
      ).toBe(true);
      for (const r of retry) {
        expect(r.ErrorEquals, `${name} must not retry everything`).not.toContain('States.ALL');
        expect(r.MaxAttempts, name).toBeLessThanOrEqual(5);
        expect(r.JitterStrategy, name).toBe('FULL');
        expect(r.MaxDelaySeconds, name).toBeGreaterThan(0);
      }
      const catchers = (s.Catch as { ErrorEquals: string[]; Next: string }[]) ?? [];
      const all = catchers.find((c) => c.ErrorEquals.includes('States.ALL'));
      // A machine without RecordError (resource stewardship: its request is Approved, not in error)
      // fails the execution itself; operators are alarmed on failed executions.
      const onError = definition.States.RecordError ? 'RecordError' : 'Failed';
      expect(all?.Next, name).toBe(name === 'RecordError' ? 'Failed' : onError);
    }
  });

  it('waits on every human step with a timeout that the task link mirrors, and catches the timeout first', () => {
    const waits = tasks.filter(([, s]) => String(s.Resource).endsWith('.waitForTaskToken'));
    expect(waits.length).toBeGreaterThan(0);
    for (const [name, s] of waits) {
      const payload = (s.Parameters as { Payload: Record<string, unknown> }).Payload;
      expect(payload['taskToken.$'], name).toBe('$$.Task.Token');
      expect(Object.keys(TASK_KINDS), name).toContain(payload.kind);
      if (s.TimeoutSecondsPath !== undefined) {
        // The ssl-remediation wait: what is left of the window, set by notify-vendor-ssl, at most 21 days.
        expect(s.TimeoutSecondsPath, name).toBe('$.sslRemediation.waitSeconds');
        expect(payload['timeoutSeconds.$'], name).toBe(s.TimeoutSecondsPath);
        expect(MAX_REMEDIATION_WAIT_SECONDS * 1000, name).toBeLessThan(2 ** 31);
      } else {
        expect(s.TimeoutSeconds, name).toBe(DEFAULT_DEADLINE_DAYS[payload.kind as DeadlineKind] * 86_400);
        expect(payload.timeoutSeconds, name).toBe(s.TimeoutSeconds);
      }
      expect((s.Catch as { ErrorEquals: string[] }[])[0]?.ErrorEquals, name).toEqual(['States.Timeout']);
    }
  });

  it('takes every human-step deadline from configuration: no waitForTaskToken state spells a number', () => {
    // The raw file, before resolveDeadlines: TimeoutSeconds and the payload's timeoutSeconds are the
    // placeholder of the state's task kind, so cdk.json's humanStepDeadlineDays sets them. To convert a
    // new human step: "TimeoutSeconds": "${<Kind>DeadlineSeconds}" (same in Payload.timeoutSeconds), a
    // default in shared/workflow/deadlines.ts, and "${<Kind>DeadlineDays}" in its timed-out texts.
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { States: Record<string, Record<string, unknown>> };
    const waits = Object.entries(raw.States).filter(([, s]) =>
      String(s.Resource).endsWith('.waitForTaskToken'),
    );
    expect(waits.length).toBeGreaterThan(0);
    for (const [name, s] of waits) {
      const payload = (s.Parameters as { Payload: Record<string, unknown> }).Payload;
      // The SSL remediation waits for what is left of its window (sslRemediationWindowDays).
      if (payload.kind === 'ssl-remediation') continue;
      const placeholder = deadlineSecondsPlaceholder(String(payload.kind));
      expect(s.TimeoutSeconds, name).toBe(placeholder);
      expect(payload.timeoutSeconds, name).toBe(placeholder);
      expect(s.TimeoutSecondsPath, name).toBeUndefined();
    }
    expect(readFileSync(file, 'utf8'), 'a deadline in days written as a number').not.toMatch(
      /within (14|21) days/,
    );
  });

  it('follows the configured deadlines (no 24.8-day ceiling: the local runtime keeps deadlines itself)', () => {
    // The machine's first human step whose deadline is configured (the DPA in the request and renewal).
    const kindOf = (s: { Parameters?: unknown }) =>
      (s.Parameters as { Payload?: { kind?: string } } | undefined)?.Payload?.kind;
    const kinds = Object.values(loadDefinition(file).States).map(kindOf);
    const kind = kinds.includes('dpa-signature')
      ? 'dpa-signature'
      : (kinds.find((k): k is DeadlineKind => !!k && Object.hasOwn(DEFAULT_DEADLINE_DAYS, k)) ?? 'answer');
    const days = { ...DEFAULT_DEADLINE_DAYS, [kind]: 90 };
    const resolved = loadDefinition(file, days);
    const step = Object.values(resolved.States).find((s) => kindOf(s) === kind);
    expect(step?.TimeoutSeconds).toBe(90 * 86_400);
    expect(JSON.stringify(resolved)).toContain('within 90 days');
    expect(JSON.stringify(resolved)).not.toMatch(/\$\{\w+Deadline(Seconds|Days)\}/);
  });

  it('calls only functions that exist in lambdas/ and shared/functions.ts', () => {
    const known = new Map(FUNCTIONS.filter((f) => f.aslArn).map((f) => [f.aslArn, f.name]));
    for (const [name, s] of tasks) {
      const fn = /^\$\{(\w+)\}$/.exec(String((s.Parameters as { FunctionName: string }).FunctionName))?.[1];
      expect(known.has(fn), `${name} calls ${fn}`).toBe(true);
    }
  });

  it('ends only in success outcomes or the error Fail state', () => {
    const ends = states.filter(([, s]) => s.End === true || s.Type === 'Fail' || s.Type === 'Succeed');
    for (const [name, s] of ends) {
      if (s.Type === 'Fail') expect(name).toBe('Failed');
      else expect(JSON.stringify(s.Parameters)).toContain('"outcome"');
    }
  });
});

describe('SOP traceability', () => {
  it('traces every SOP step 1-17 to a state Comment or, for steps 1-2, the submission API', () => {
    const traced = new Set<number>();
    for (const file of FILES) {
      for (const state of Object.values(loadDefinition(file).States)) {
        for (const m of String(state.Comment).matchAll(/SOP ((?:\d+)(?:\s*(?:\/|to|-)\s*\d+)*)/g)) {
          for (const n of (m[1] ?? '').split(/\s*(?:\/|to|-)\s*/)) traced.add(Number(n));
        }
      }
    }
    const submit = FUNCTIONS.find((f) => f.route?.path === '/requests' && f.route.method === 'POST');
    expect(submit?.sop).toBe('1-2');
    expect(existsSync(`lambdas/${submit?.name}.ts`)).toBe(true);
    traced.add(1).add(2);
    expect([...traced].sort((a, b) => a - b)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
  });
});
