/**
 * The loop of every recovery sweep (shared/recovery/sweep-each.ts): what its index listed is finished
 * item by item; one that fails is logged for the operators and left for the next sweep while the rest
 * go on; a failing store stops the sweep (the next one starts again from the oldest), except the
 * outbox's, whose emails are claimed one by one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TransientError } from '#shared/core/errors.ts';
import { logger } from '#shared/core/logger.ts';
import { type SweepOf, sweepEach } from '#shared/recovery/sweep-each.ts';

type Outcome = 'started' | 'alreadyRunning';
const LISTED = [{ requestId: 'r-1' }, { requestId: 'r-2' }, { requestId: 'r-3' }];

function sweepOf(
  recover: SweepOf<{ requestId: string }, Outcome>['recover'],
  more: Partial<SweepOf<{ requestId: string }, Outcome>> = {},
): SweepOf<{ requestId: string }, Outcome> {
  return {
    outcomes: ['started', 'alreadyRunning'],
    limit: 3,
    identify: ({ requestId }) => ({ id: requestId, logFields: { requestId } }),
    recover,
    failureMessage: 'Could not start the workflow of a stored request',
    summaryMessage: 'Unstarted requests swept',
    ...more,
  };
}

afterEach(() => vi.restoreAllMocks());

describe('a recovery sweep', () => {
  it('lists each item under its outcome; an item with nothing left to do is under none', async () => {
    const outcomes: Record<string, Outcome | undefined> = {
      'r-1': 'started',
      'r-2': undefined,
      'r-3': 'alreadyRunning',
    };
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);

    const result = await sweepEach(
      LISTED,
      sweepOf(async ({ requestId }) => outcomes[requestId]),
    );

    expect(result).toEqual({ started: ['r-1'], alreadyRunning: ['r-3'], failed: [] });
    // A full page: the operators read that more are waiting.
    expect(info).toHaveBeenCalledWith('Unstarted requests swept', {
      started: 1,
      alreadyRunning: 1,
      failed: 0,
      more: true,
    });
  });

  it('goes on past an item that fails, and names it at error level for the operators', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);

    const result = await sweepEach(
      LISTED,
      sweepOf(async ({ requestId }) => {
        if (requestId === 'r-2') throw new Error('StartExecution refused: the state machine is deleted');
        return 'started';
      }),
    );

    expect(result).toEqual({ started: ['r-1', 'r-3'], alreadyRunning: [], failed: ['r-2'] });
    expect(errors).toHaveBeenCalledWith('Could not start the workflow of a stored request', {
      requestId: 'r-2',
      errorName: 'Error',
      errorMessage: 'StartExecution refused: the state machine is deleted',
    });
  });

  it('stops at a failing store: the items after it are left for the next sweep', async () => {
    const tried: string[] = [];
    const sweep = sweepEach(
      LISTED,
      sweepOf(async ({ requestId }) => {
        tried.push(requestId);
        if (requestId === 'r-2') throw new TransientError('Get request: throttled');
        return 'started';
      }),
    );

    await expect(sweep).rejects.toBeInstanceOf(TransientError);
    expect(tried).toEqual(['r-1', 'r-2']);
  });

  it("the outbox's sweep goes on past a failing store: each email is claimed on its own", async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);

    const result = await sweepEach(
      LISTED,
      sweepOf(
        async ({ requestId }) => {
          if (requestId === 'r-2') throw new TransientError('Claim the email: throttled');
          return 'started';
        },
        { onTransientError: 'go-on' },
      ),
    );

    expect(result).toEqual({ started: ['r-1', 'r-3'], alreadyRunning: [], failed: ['r-2'] });
  });

  it('says nothing when its index listed nothing', async () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);

    expect(
      await sweepEach(
        [],
        sweepOf(async () => 'started'),
      ),
    ).toEqual({
      started: [],
      alreadyRunning: [],
      failed: [],
    });
    expect(info).not.toHaveBeenCalled();
  });
});
