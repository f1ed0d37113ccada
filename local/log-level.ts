/**
 * Handlers log at WARN locally (a readable console, and a bench whose thousands of calls do not pay
 * for their INFO lines) unless the environment names another level.
 *
 * A module of its own, without imports, imported first by local/config.ts and local/runtime.ts: the
 * shared Powertools logger (shared/core/logger.ts) reads POWERTOOLS_LOG_LEVEL once, when it is
 * created, and middy's injectLambdaContext puts that level back on every warm invocation, so a level
 * set later (`logger.setLogLevel`) lasts one call. Set in local/config.ts's body, the default came
 * after config.ts's own imports had created the logger at INFO.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

export {};
