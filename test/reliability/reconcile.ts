/**
 * Reconciles each request with its execution and its emails after a run with injected faults or
 * crashes. For every request the scenario says what should have happened (final status, the task
 * kinds it went through, whether a DPA went to the vendor); the outbox, the execution and the
 * request's own audit trail must agree with it:
 *   lost          the request or its execution is missing; lostEmails: an email that should exist does not
 *                 (acknowledgement, one task email per step, one decision email per decision, the
 *                 outcome email or, for ERROR, the operator email; the DPA email to the vendor)
 *   inconsistent  the status is not the expected one, the execution's status or outcome disagrees
 *                 with the request, or the audit trail's decisions are not the steps the scenario has
 *   duplicated    any of those emails sent more than once
 * A request whose execution is still RUNNING is counted as unfinished and not checked further (its
 * later emails are not lost, they are not due yet).
 */
import type { OutboxEmail } from '#local/runtime.ts';
import { TASK_KINDS, type TaskKind } from '#shared/workflow/task-kinds.ts';

export interface Expected {
  requestId: string;
  resourceName: string;
  status: 'APPROVED' | 'DENIED' | 'ERROR';
  kinds: TaskKind[];
  dpaEmail: boolean;
}

export interface Observed {
  view?: { status: string; currentStep?: number; currentActivity?: string; timeline: { type: string }[] };
  execution?: {
    status: string;
    output: unknown;
    /** Human waits announced and not answered (state names). */
    waitingFor?: string[];
    resumes?: unknown[];
    replaying?: boolean;
    events?: { type: string; stateName?: string }[];
  };
}

/** Each request's status view and execution, read over HTTP as they are after the run. */
export async function observe(
  client: { call(path: string, init?: RequestInit): Promise<{ status: number; text: string }> },
  expected: Expected[],
): Promise<Map<string, Observed>> {
  const observed = new Map<string, Observed>();
  for (const { requestId } of expected) {
    const view = await client.call(`/requests/${requestId}`, { headers: { accept: 'application/json' } });
    const exec = await client.call(`/_local/executions/${requestId}`);
    observed.set(requestId, {
      ...(view.status === 200 ? { view: JSON.parse(view.text) } : {}),
      ...(exec.status === 200 ? { execution: JSON.parse(exec.text) } : {}),
    });
  }
  return observed;
}

export interface Reconciliation {
  unfinished: number;
  /** Requests or executions missing. */
  lost: number;
  /** Emails missing (each missing email counts). */
  lostEmails: number;
  inconsistent: number;
  duplicated: number;
  /** Sends beyond the expected ones, in all. */
  extraSends: number;
  /**
   * The most sends beyond the expected of one email (of one kind, for one request): the outbox allows
   * one per kill that falls between SES's acceptance and the mark.
   */
  mostExtraOfOne: number;
  details: string[];
}

export function reconcile(
  expected: Expected[],
  observed: Map<string, Observed>,
  outbox: OutboxEmail[],
): Reconciliation {
  const r: Reconciliation = {
    unfinished: 0,
    lost: 0,
    lostEmails: 0,
    inconsistent: 0,
    duplicated: 0,
    extraSends: 0,
    mostExtraOfOne: 0,
    details: [],
  };
  const note = (what: 'unfinished' | 'lost' | 'inconsistent' | 'duplicated', detail: string) => {
    r[what]++;
    if (r.details.length < 30) r.details.push(`${what}: ${detail}`);
  };
  for (const e of expected) {
    const id = e.requestId;
    const o = observed.get(id);
    if (!o?.view) {
      note('lost', `${id}: the request is gone`);
      continue;
    }
    if (!o.execution) note('lost', `${id}: no execution`);
    if (o.execution?.status === 'RUNNING') {
      note(
        'unfinished',
        `${id}: still ${o.view.status} and its execution RUNNING (step ${o.view.currentStep}: ${o.view.currentActivity}); ${whereItWaits(o.execution)}`,
      );
      continue;
    }
    if (o.view.status !== e.status)
      note('inconsistent', `${id}: status ${o.view.status}, expected ${e.status}`);
    if (o.execution) {
      const want = e.status === 'ERROR' ? 'FAILED' : 'SUCCEEDED';
      const outcome = (o.execution.output as { outcome?: string } | null)?.outcome;
      if (o.execution.status !== want || (e.status !== 'ERROR' && outcome !== e.status)) {
        note(
          'inconsistent',
          `${id}: execution ${o.execution.status} (${outcome ?? '-'}), request ${o.view.status}`,
        );
      }
    }
    const decisions = o.view.timeline.filter((t) => t.type === 'DECISION_RECORDED').length;
    if (decisions !== e.kinds.length) {
      note('inconsistent', `${id}: ${decisions} decisions in the audit trail, expected ${e.kinds.length}`);
    }

    const about = outbox.filter((m) => m.subject.includes(id) || m.text.includes(id));
    const count = (what: string, n: number, want: number) => {
      if (n < want) {
        r.lostEmails += want - n;
        if (r.details.length < 30) r.details.push(`lost: ${id}: ${what} ${n} of ${want}`);
      }
      if (n > want) note('duplicated', `${id}: ${what} sent ${n} times, expected ${want}`);
      if (n > want) {
        r.extraSends += n - want;
        r.mostExtraOfOne = Math.max(r.mostExtraOfOne, n - want);
      }
    };
    count('acknowledgement', about.filter((m) => m.subject.startsWith(`Request ${id} received`)).length, 1);
    for (const kind of new Set(e.kinds)) {
      const title = TASK_KINDS[kind].title;
      const want = e.kinds.filter((k) => k === kind).length;
      count(
        `${kind} task email`,
        about.filter((m) => m.subject.startsWith('Action needed') && m.subject.includes(title)).length,
        want,
      );
    }
    count(
      'decision emails',
      about.filter((m) => m.subject.startsWith(`Your request ${id} (`)).length,
      e.kinds.length,
    );
    const outcome = about.filter((m) => /^(Approved|Not approved): /.test(m.subject)).length;
    const operator = about.filter((m) => m.subject.includes(`System error on request ${id}`)).length;
    count('outcome email', outcome, e.status === 'ERROR' ? 0 : 1);
    count('operator email', operator, e.status === 'ERROR' ? 1 : 0);
    const dpa = outbox.filter(
      (m) => m.subject === `Student Data Privacy Agreement requested for ${e.resourceName}`,
    ).length;
    count('DPA email to the vendor', dpa, e.dpaEmail ? 1 : 0);
  }
  return r;
}

/** What a RUNNING execution waits on, for the note of an unfinished workflow. */
function whereItWaits(execution: NonNullable<Observed['execution']>): string {
  const last = execution.events?.at(-1);
  return [
    `waiting for [${(execution.waitingFor ?? []).join(', ')}]`,
    `last event ${last ? `${last.type} ${last.stateName ?? ''}`.trim() : 'none'}`,
    `${execution.resumes?.length ?? 0} resumes${execution.replaying ? ', still replaying' : ''}`,
  ].join(', ');
}
