/**
 * The Lambda handlers of shared/functions.ts, loaded in-process from lambdas/<name>.ts or from their
 * CDK-identical bundles, and invoked as Lambda invokes them: JSON in, JSON out, with a context.
 * Handler modules are cached per source for the life of the process: a module keeps the environment
 * it saw at its first import.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { asError } from '#shared/core/errors.ts';
import { fieldOf } from '#shared/core/guards.ts';
import { FUNCTIONS } from '#shared/functions.ts';
import { buildLambdaBundles } from '../../cdk/lambda-bundling.ts';
import { roundTrip } from '../asl-definition.ts';
import { FUNCTION_NAME_PREFIX, functionArn } from '../config.ts';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * Bundles for `handlers: 'bundled'`, one folder per process. Under node_modules so that test runners
 * load them as they are, as Node on Lambda does, instead of transforming them.
 */
const BUNDLE_CACHE = join(ROOT, 'node_modules', '.cache', 'lambda-bundles');

export type HandlerSource = 'source' | 'bundled';
type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Loaded handlers by source, then name. */
const handlerCache: Record<HandlerSource, Map<string, LambdaHandler>> = {
  source: new Map(),
  bundled: new Map(),
};

/**
 * Loads every handler of shared/functions.ts, from lambdas/<name>.ts or from its CDK-identical bundle;
 * returns the names whose source file does not exist.
 */
export async function loadHandlers(source: HandlerSource): Promise<string[]> {
  const cache = handlerCache[source];
  const missing = FUNCTIONS.filter((fn) => !existsSync(join(ROOT, 'lambdas', `${fn.name}.ts`))).map(
    (fn) => fn.name,
  );
  const toLoad = FUNCTIONS.map((fn) => fn.name).filter((name) => !cache.has(name) && !missing.includes(name));
  if (toLoad.length === 0) return missing;
  const files =
    source === 'bundled'
      ? await buildLambdaBundles(ROOT, toLoad, bundleFolder())
      : new Map(toLoad.map((name) => [name, join(ROOT, 'lambdas', `${name}.ts`)]));
  for (const name of toLoad) {
    const label = source === 'bundled' ? `the bundle of lambdas/${name}.ts` : `lambdas/${name}.ts`;
    const file = files.get(name);
    if (file === undefined) throw new Error(`${label} was not built`);
    let mod: unknown;
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (error) {
      throw new Error(`${label} failed to load: ${asError(error).message}`, { cause: error });
    }
    const handler = fieldOf(mod, 'handler');
    if (typeof handler !== 'function') throw new Error(`${label} does not export a handler function`);
    // A module's export is as typed as its file says: every lambdas/ file exports a Lambda handler.
    cache.set(name, handler as LambdaHandler);
  }
  return missing;
}

const running = new AsyncLocalStorage<string>();

/** The shared/functions.ts name of the handler whose invocation this code runs in (bench profiling). */
export function runningFunction(): string | undefined {
  return running.getStore();
}

/** Invokes the loaded handler `name` of this source as Lambda does (serialized: JSON in, JSON out). */
export function handlerInvoker(source: HandlerSource) {
  const handlers = handlerCache[source];
  return async (name: string, payload: unknown): Promise<unknown> => {
    const handler = handlers.get(name);
    if (!handler) throw new Error(`The Lambda handler lambdas/${name}.ts is missing or failed to load`);
    const event = roundTrip(payload ?? null);
    const result = await running.run(name, () => handler(event, lambdaContext(name)));
    return roundTrip(result);
  };
}

/** The shared/functions.ts name of a local Lambda ARN (see functionArn), or undefined. */
export function localFunctionName(arn: string): string | undefined {
  const m = /^arn:aws:lambda:[^:]+:[^:]+:function:([^:]+)(?::[^:]+)?$/.exec(arn);
  const name = m?.[1]?.startsWith(FUNCTION_NAME_PREFIX) ? m[1].slice(FUNCTION_NAME_PREFIX.length) : undefined;
  return name && FUNCTIONS.some((f) => f.name === name) ? name : undefined;
}

/** A fresh folder for this process's bundles, removed when the process exits. */
function bundleFolder(): string {
  mkdirSync(BUNDLE_CACHE, { recursive: true });
  const folder = mkdtempSync(join(BUNDLE_CACHE, `${process.pid}-`));
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

function lambdaContext(name: string): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `software-request-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(name),
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/software-request-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, started + 30_000 - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
