/**
 * Imports the module named first (an entry point's first import, e.g. #local/runtime.ts), then prints
 * the shared Powertools logger's level: what a fresh process that starts that way logs at.
 */
const [entry] = process.argv.slice(2);
if (!entry) throw new Error('Name the module to import first');
await import(entry);
const { logger } = await import('#shared/core/logger.ts');
process.stdout.write(logger.getLevelName());
