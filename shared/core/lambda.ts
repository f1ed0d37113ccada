/** Middy wrappers shared by every handler: logger context and correlation id; errors keep their names. */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { asError, errorName } from './errors.ts';
import { logger } from './logger.ts';
import { once } from './once.ts';
import { parsePayload } from './validation.ts';

/** A state machine task's event: any JSON object (its requestId, when present, tags the logs). */
export type StepEvent = { requestId?: string; [field: string]: unknown };

/**
 * For state machine tasks: the thrown error's `name` becomes the Step Functions error (Retry matches
 * TransientError, everything else goes to the error path), so errors are logged by name and rethrown.
 */
export function workflowHandler<I extends StepEvent, O>(fn: (input: I) => Promise<O>) {
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

/** For a step that takes no payload (the recovery sweep runs on a schedule). */
export const unparsedPayload: z.ZodMiniType<unknown> = z.unknown();

/**
 * A state machine task in the house shape: `run(event, deps?)` parses the event once with the step's
 * schema (a ValidationError names each bad field) and calls the domain function with the typed input
 * and the given deps (tests) or those `buildDeps` makes on the first call and keeps for the container's
 * life (configuration read once, failing fast); `handler` is `run` behind workflowHandler.
 */
export function workflowStep<I, D, O>(
  schema: z.ZodMiniType<I>,
  step: (input: I, deps: D) => Promise<O>,
  buildDeps: () => D,
) {
  const defaultDeps = once(buildDeps);
  // Async, so that a bad payload rejects the returned promise like any other failure of the step.
  const run = async (event: unknown, deps: D = defaultDeps()): Promise<O> =>
    step(parsePayload(schema, event), deps);
  const handler = workflowHandler((event: StepEvent) => run(event));
  return { run, handler };
}
