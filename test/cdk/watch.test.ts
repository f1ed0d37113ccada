/**
 * CDK (issue 22): the watch between renewals. The resource-watch state machine exists; two recurring
 * Scheduler schedules invoke watch-policies every policyCheckDays and start-ssl-spot-checks every
 * sslCheckDays (the district's settings), each as a role that may invoke only its function; the
 * watch functions may start only the resource-watch machine.
 */
import { readFileSync } from 'node:fs';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../cdk/app.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

function synth(extra: Record<string, unknown> = {}) {
  const { stack } = buildApp({
    context: { ...cdkJson.context, allowPlaceholderDomains: true, ...extra, 'aws:cdk:bundling-stacks': [] },
  });
  const fnId = (name: string) =>
    stack.getLogicalId(stack.functions.get(name)?.function.node.defaultChild as CfnElement);
  return { stack, template: Template.fromStack(stack), fnId };
}

describe('the watch between renewals (issue 22)', () => {
  it('has the resource-watch machine and a schedule per check, at the configured days', () => {
    const { template, fnId } = synth({ policyCheckDays: 3, sslCheckDays: 14 });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: Match.stringLikeRegexp('-ResourceWatch$'),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(3 days)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [fnId('watch-policies'), 'Arn'] },
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
      }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(14 days)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId('start-ssl-spot-checks'), 'Arn'] } }),
    });
  }, 120_000);

  it('defaults to a weekly policy check and a monthly SSL spot check', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(7 days)' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(30 days)' });
  }, 120_000);

  it('refuses a check interval outside 1..365 days', () => {
    expect(() => synth({ policyCheckDays: 0 })).toThrow(/policyCheckDays/);
  });

  it('gives the watch functions the resource-watch machine to start, and the decision step the renewal', () => {
    const { stack, template, fnId } = synth();
    const env = (name: string) =>
      template.toJSON().Resources[fnId(name)].Properties.Environment.Variables as Record<string, unknown>;
    const watchArn = stack.resourceWatch.machine.stateMachineArn;
    expect(env('watch-policies')).toHaveProperty('WATCH_STATE_MACHINE_ARN');
    expect(env('start-ssl-spot-checks')).toHaveProperty('WATCH_STATE_MACHINE_ARN');
    expect(env('apply-policy-decision')).toHaveProperty('RENEWAL_STATE_MACHINE_ARN');
    expect(watchArn).toBeDefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'states:StartExecution',
            Resource: {
              Ref: stack.getLogicalId(stack.resourceWatch.machine.node.defaultChild as CfnElement),
            },
          }),
        ]),
      },
    });
  }, 120_000);
});
