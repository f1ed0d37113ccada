/**
 * Where one submission's time goes: lone `POST /requests` calls (one at a time, so nothing queues),
 * each AWS call the handlers make timed by a middleware on the product's own clients
 * (shared/core/aws/clients.ts: the local runtime runs the handlers in this process, from source). The
 * workflow each submission starts keeps running meanwhile, as it does behind a real submission.
 */
import type { MiddlewareStack } from '@smithy/types';
import * as clients from '#shared/core/aws/clients.ts';
import type { LocalRuntime } from '../local/runtime.ts';
import { runningFunction } from '../local/start/handlers.ts';

export interface SubmissionProfile {
  submissions: number;
  p50Ms: number;
  /** Median per submission, by `service.Command`: how many calls, and their summed time. */
  calls: { call: string; perSubmission: number; msPerSubmission: number; p50MsPerCall: number }[];
  /** p50 minus the AWS calls: validation, hashing, rendering, HTTP in and out. */
  otherMs: number;
}

const MIDDLEWARE = 'benchSubmissionProfile';

/** Told of each call as it starts (`service.Command`); what it returns runs when the call has ended. */
type CallTimer = (call: string) => () => void;

function timeCalls<I extends object, O extends object>(
  service: string,
  stack: MiddlewareStack<I, O>,
  timer: CallTimer,
): () => void {
  stack.add(
    (next, context) => async (args) => {
      const ended = timer(`${service}.${context.commandName}`);
      try {
        return await next(args);
      } finally {
        ended();
      }
    },
    { step: 'initialize', name: MIDDLEWARE },
  );
  return () => stack.remove(MIDDLEWARE);
}

/**
 * One timer per client of shared/core/aws/clients.ts (a new client fails the build until it is here).
 * Each stack is typed by its own service's commands, so a loop over the module would hold a union of
 * stacks that no single middleware fits.
 */
const TIMERS: Record<keyof typeof clients, (timer: CallTimer) => () => void> = {
  dynamoDb: (timer) => timeCalls('dynamoDb', clients.dynamoDb.middlewareStack, timer),
  ses: (timer) => timeCalls('ses', clients.ses.middlewareStack, timer),
  sfn: (timer) => timeCalls('sfn', clients.sfn.middlewareStack, timer),
  eventBridge: (timer) => timeCalls('eventBridge', clients.eventBridge.middlewareStack, timer),
  scheduler: (timer) => timeCalls('scheduler', clients.scheduler.middlewareStack, timer),
  secretsManager: (timer) => timeCalls('secretsManager', clients.secretsManager.middlewareStack, timer),
  cognito: (timer) => timeCalls('cognito', clients.cognito.middlewareStack, timer),
  s3: (timer) => timeCalls('s3', clients.s3.middlewareStack, timer),
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

export async function profileSubmissions(
  runtime: LocalRuntime,
  body: Record<string, unknown>,
  submissions = 50,
): Promise<SubmissionProfile> {
  // submit-request's calls, by the submission in flight; the workflow's own calls (check-current-vetting,
  // assign-task run while the submission finishes) are told apart by the handler that made them.
  let current: number | undefined;
  const calls: { submission: number; call: string; ms: number }[] = [];
  const untimers: (() => void)[] = [];
  for (const time of Object.values(TIMERS)) {
    const untime = time((call) => {
      const submission = current;
      const started = performance.now();
      return () => {
        if (submission !== undefined && runningFunction() === 'submit-request') {
          calls.push({ submission, call, ms: performance.now() - started });
        }
      };
    });
    untimers.push(untime);
  }
  const totals: number[] = [];
  try {
    for (let i = 0; i < submissions; i++) {
      current = i;
      const started = performance.now();
      const res = await fetch(`${runtime.baseUrl}/requests`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': `profile-${Date.now()}-${i}`,
        },
        body: JSON.stringify({ ...body, resourceName: `Profiled Resource ${i}` }),
      });
      await res.text();
      totals.push(performance.now() - started);
      if (res.status !== 201) throw new Error(`POST /requests answered ${res.status}`);
    }
  } finally {
    current = undefined;
    for (const untime of untimers) untime();
  }
  const names = [...new Set(calls.map((c) => c.call))];
  const rows = names.map((call) => {
    const mine = calls.filter((c) => c.call === call);
    const per = (pick: (c: (typeof mine)[number]) => number) =>
      median(
        Array.from({ length: submissions }, (_, i) =>
          mine.filter((c) => c.submission === i).reduce((sum, c) => sum + pick(c), 0),
        ),
      );
    return {
      call,
      perSubmission: per(() => 1),
      msPerSubmission: per((c) => c.ms),
      p50MsPerCall: median(mine.map((c) => c.ms)),
    };
  });
  const p50Ms = median(totals);
  return {
    submissions,
    p50Ms,
    calls: rows,
    otherMs: p50Ms - rows.reduce((sum, r) => sum + r.msPerSubmission, 0),
  };
}
