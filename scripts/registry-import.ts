/**
 * npm run registry:import -- file.csv [--table NAME]
 *
 * Loads a district's existing list of vetted resources (columns resourceName, vendorName, url, status,
 * decidedOn, dpaExpiresOn, notes; header names case-insensitive, extra columns ignored) into the
 * registry (shared/registry/registry-import.ts):
 *   - without --table: into the running local runtime, found from the same PORT / LOCAL_DATA_DIR
 *     settings as `npm start` (its <dataDir>/runtime.json);
 *   - with --table NAME: into that deployed table, with the operator's own AWS credentials and region
 *     (the usual AWS_PROFILE / AWS_REGION). No public route is involved.
 * Bad rows are reported by line number and skipped; every row is checked before anything is written.
 * Importing the same file again changes nothing. Exit code 0 when every row loaded, 2 when some rows
 * were skipped, 1 when nothing could be done.
 */

import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readLocalSettings } from '#local/config.ts';
import { readRuntimeFile } from '#local/runtime-file.ts';
import { asError } from '#shared/core/errors.ts';
import { readRegistryCsv } from '#shared/registry/registry-csv.ts';
import { importRegistryEntries } from '#shared/registry/registry-import.ts';
import { WorkflowStore } from '#shared/store.ts';

interface Target {
  tableName: string;
  client: DynamoDBClient;
  where: string;
}

function parseArgs(argv: string[]): { file: string; table?: string } {
  const args = [...argv];
  let table: string | undefined;
  const files: string[] = [];
  for (let arg = args.shift(); arg !== undefined; arg = args.shift()) {
    if (arg === '--table') table = args.shift();
    else if (arg.startsWith('--table=')) table = arg.slice('--table='.length);
    else files.push(arg);
  }
  if (files.length !== 1 || (table !== undefined && !table)) {
    throw new Error('Usage: npm run registry:import -- file.csv [--table NAME]');
  }
  const [file] = files;
  if (file === undefined) throw new Error('Usage: npm run registry:import -- file.csv [--table NAME]');
  return { file, ...(table ? { table } : {}) };
}

async function localTarget(): Promise<Target> {
  const settings = readLocalSettings();
  const runtime = readRuntimeFile(settings.dataDir);
  if (!runtime) {
    throw new Error(
      `No local runtime found in ${settings.dataDir}: start it with \`npm start\` (same LOCAL_DATA_DIR)`,
    );
  }
  if (process.env.PORT?.trim() && settings.port !== 0 && settings.port !== runtime.port) {
    throw new Error(
      `The runtime in ${settings.dataDir} listens on port ${runtime.port}, not PORT=${settings.port}`,
    );
  }
  const up = await fetch(runtime.dynamodb, { method: 'POST' }).then(
    () => true,
    () => false,
  );
  if (!up)
    throw new Error(`The local runtime of ${settings.dataDir} is not running: start it with \`npm start\``);
  return {
    tableName: runtime.tableName,
    client: new DynamoDBClient({
      endpoint: runtime.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    where: `the local runtime (${runtime.baseUrl})`,
  };
}

async function main(): Promise<number> {
  const { file, table } = parseArgs(process.argv.slice(2));
  const parsed = readRegistryCsv(readFileSync(file, 'utf8'));
  for (const p of parsed.problems) console.error(`${file}:${p.line}: ${p.message} (row skipped)`);
  if (parsed.entries.length === 0) {
    console.error('Nothing to import.');
    return 1;
  }
  const target = table
    ? { tableName: table, client: new DynamoDBClient({}), where: `table ${table}` }
    : await localTarget();
  const client = DynamoDBDocumentClient.from(target.client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const started = Date.now();
  try {
    const counts = await importRegistryEntries(
      parsed.entries.map((e) => e.entry),
      {
        store: new WorkflowStore({ tableName: target.tableName, client }),
        concurrency: 8,
        onProgress: (done, total) => process.stderr.write(`\r${done}/${total} entries`),
      },
    );
    process.stderr.write('\n');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `Imported into ${target.where} in ${seconds} s: ${counts.written} written, ${counts.unchanged} already there, ` +
        `${counts.superseded} kept (a later decision is in the registry), ${parsed.problems.length} row(s) skipped.`,
    );
  } finally {
    target.client.destroy();
  }
  return parsed.problems.length ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(asError(error).message);
    process.exit(1);
  },
);
