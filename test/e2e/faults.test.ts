/**
 * End to end under injected DynamoDB throttling (LocalRuntimeOptions.faults): a workflow task whose
 * writes are throttled more often than the AWS SDK retries by itself (3 attempts) fails with
 * TransientError (shared/core/aws/transient.ts), the state's Retry runs it again, and the request is
 * approved as if nothing had happened.
 *
 * The faults are armed while the execution sleeps in WaitForSslScan, when nothing else writes: the
 * next writes are PollSslScan's (check-ssl records the grade once the fake SSL Labs is READY).
 */
import { describe, expect, it } from 'vitest';
import { eventually, requestBody, useTestRuntime } from './helpers.ts';

const INJECTED = 4;
let armed = 0;
const failed: string[] = [];

// On the TypeScript source and on the bundles as CDK builds them: the retry depends on the error's
// name surviving the bundling (shared/core/errors.ts).
describe.each(['source', 'bundled'] as const)(
  'TS-PE-535 end to end: DynamoDB throttling (handlers: %s)',
  (handlers) => {
    const env = useTestRuntime(`faults-${handlers}`, {
      handlers,
      faults: {
        dynamodb: (operation) => {
          if (armed === 0 || (operation !== 'PutItem' && operation !== 'UpdateItem')) return false;
          armed--;
          failed.push(operation);
          return true;
        },
      },
      // A window of quiet in which to arm the faults; the Retry then waits only a moment.
      waitTimeOverrides: { WaitForSslScan: 2000, WaitForSslRetest: 0 },
      retryIntervalOverrides: { PollSslScan: 100 },
    });

    it('a throttled workflow task is retried by the state machine and the request is still approved', async () => {
      failed.length = 0;
      // Prepare: a free website without student data, through the privacy review
      const requestId = await env.client.submitAndPassPrivacyReview(
        requestBody({
          resourceName: 'Cloud Atlas',
          resourceUrl: 'https://cloudatlas.example.com',
          resourceKind: 'web-service',
          vendorName: 'Atlas Co',
          cost: 0,
          studentDataShared: false,
          studentDataElements: undefined,
        }),
        { vendorContactEmail: 'privacy@atlas.example' },
      );
      await eventually(
        'the execution to wait for the SSL scan',
        async () => {
          const detail = await env.client.execution(requestId);
          const last = detail.events.at(-1);
          return last?.type === 'StateEntered' && last.stateName === 'WaitForSslScan' ? detail : undefined;
        },
        { intervalMs: 10 },
      );

      // Act: the next writes (PollSslScan's) are throttled more often than the SDK retries
      armed = INJECTED;
      await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
      await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
      await env.client.complete(requestId, 'installation', { decision: 'installed' });

      // Assess: every injected failure was used, the task failed once with TransientError and was retried
      const view = await env.client.waitForStatus(requestId, 'APPROVED');
      const detail = await env.client.waitForExecution(requestId, 'SUCCEEDED');
      expect(armed).toBe(0);
      expect(failed).toHaveLength(INJECTED);
      const pollFailures = detail.history.filter(
        (e) => e.type === 'TaskFailed' && JSON.stringify(e).includes('TransientError'),
      );
      expect(pollFailures).toHaveLength(1);
      expect(detail.events.filter((e) => e.type === 'StateRetried').map((e) => e.stateName)).toEqual([
        'PollSslScan',
      ]);
      expect(view.timeline.filter((t) => t.sopStep === 5).length).toBeGreaterThan(0);
    });
  },
);
