/** Middy wrappers shared by every handler: logger context and correlation id; errors keep their names. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from './logger.ts';

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
          errorName: (error as Error).name,
          errorMessage: (error as Error).message,
        });
        throw error;
      }
    });
}
