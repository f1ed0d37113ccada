/**
 * Resuming a request with a new execution (`npm run resume`, shared/requests/resume.ts): the ASL's
 * first states send an execution whose input carries `resumeAt` straight to that state, only for the
 * safe entry points of shared/workflow/resume-points.ts, and every other execution to SOP 3.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RESUME_POINTS, type ResumePoint } from '#shared/workflow/resume-points.ts';
import { createFlow, decision, requestInput, resource } from './harness.ts';

let flow: ReturnType<typeof createFlow>;
afterEach(() => flow?.abort());

const POINTS = Object.keys(RESUME_POINTS) as ResumePoint[];

describe('resumeAt: a new execution starts at a safe entry point', () => {
  it('the ResumeAt Choice offers exactly the safe entry points, each to the state of that name; SOP 3 is its Default', () => {
    const choice = createFlow().definition.States.ResumeAt as unknown as {
      Choices: { Variable: string; StringEquals: string; Next: string }[];
      Default: string;
    };
    const routed = choice.Choices.map((c) => [c.StringEquals, c.Next]);
    expect([...routed, [choice.Default, choice.Default]].sort()).toEqual(POINTS.map((p) => [p, p]).sort());
    expect(choice.Default).toBe('StartSecurityVetting');
  });

  it.each(POINTS)('resumeAt %s: that state is the first one after the two Choices', async (at) => {
    flow = createFlow();
    flow.start({ ...requestInput(), resumeAt: at });
    await expect
      .poll(() => flow.statesEntered().length, { timeout: 3000, interval: 10 })
      .toBeGreaterThanOrEqual(3);
    expect(flow.statesEntered().slice(0, 3)).toEqual(['IsResumed', 'ResumeAt', at]);
  });

  it('resumed at RouteApproval, an administrative request is approved without security vetting running again', async () => {
    flow = createFlow();
    flow.start({ ...requestInput({ requestType: 'administrative' }), resumeAt: 'RouteApproval' });
    await flow.decide('administrative-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED' });
    expect(flow.callsTo('CheckCurrentVettingFunctionArn')).toEqual([]);
    expect(flow.statesEntered().slice(0, 4)).toEqual([
      'IsResumed',
      'ResumeAt',
      'RouteApproval',
      'AdministrativeReview',
    ]);
  });

  it('resumed at Installation, a paid software request is installed and approved from the stored input alone', async () => {
    flow = createFlow();
    flow.start({
      ...requestInput({ resource: resource({ kind: 'software', cost: 1200 }) }),
      resumeAt: 'Installation',
    });
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED' });
    expect(flow.calls.map((c) => c.fn)).not.toContain('ProcurementHookFunctionArn');
  });

  it('a name that is no safe entry point (only by hand: the command refuses it) starts at SOP 3, assuming nothing', async () => {
    flow = createFlow();
    flow.start({ ...requestInput(), resumeAt: 'IsCurriculumApproved' });
    await flow.task('privacy-review');

    expect(flow.statesEntered().slice(0, 3)).toEqual(['IsResumed', 'ResumeAt', 'StartSecurityVetting']);
    expect(flow.callsTo('CheckCurrentVettingFunctionArn')).toHaveLength(1);
  });

  it('without resumeAt every execution starts at SOP 3', async () => {
    flow = createFlow();
    flow.start(requestInput());
    await flow.task('privacy-review');
    expect(flow.statesEntered().slice(0, 2)).toEqual(['IsResumed', 'StartSecurityVetting']);
  });
});
