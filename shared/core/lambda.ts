/** Middy wrappers shared by every handler: logger context and correlation id; errors keep their names. */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { asError, errorName } from './errors.ts';
import { logger } from './logger.ts';
import { once } from './once.ts';

/**
 * For state machine tasks: the thrown error's `name` becomes the Step Functions error (Retry matches
 * TransientError, everything else goes to the error path), so errors are logged by name and rethrown.
 */
export function workflowHandler<I extends { requestId?: string }, O>(fn: (input: I) => Promise<O>) {
  return middy<I, O>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (input) => {
      if (input?.requestId) logger.appendKeys({ requestId: input.requestId });
      try {
        return await fn(input);
      } catch (error) {
        logger.error('Task failed', {
          errorName: errorName(error),
          errorMessage: asError(error).message,
        });
        throw error;
      }
    });
}

/** The event a step's handler takes: its input type, or any object when the step parses `unknown`. */
type StepEvent<I> = (unknown extends I ? Record<string, unknown> : I) & { requestId?: string };

/**
 * A state machine task in the house shape: `run(input, deps?)` calls the domain function with the
 * given deps (tests) or with those `buildDeps` makes on the first call and keeps for the container's
 * life (configuration read once, failing fast); `handler` is `run` behind workflowHandler.
 */
export function workflowStep<I, D, O>(step: (input: I, deps: D) => Promise<O>, buildDeps: () => D) {
  const defaultDeps = once(buildDeps);
  const run = (input: I, deps: D = defaultDeps()): Promise<O> => step(input, deps);
  const handler = workflowHandler((input: StepEvent<I>) => run(input as I));
  return { run, handler };
}
