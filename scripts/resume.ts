/**
 * npm run resume -- <requestId> --at <StateName> [--operator NAME] [--table NAME --state-machine ARN]
 *
 * Resumes a request whose execution stopped with a new execution that starts at a safe entry point
 * (shared/requests/resume.ts; the list: shared/workflow/resume-points.ts, docs/operations.md):
 *   - without --table: in the running local runtime, found from the same PORT / LOCAL_DATA_DIR
 *     settings as `npm start` (its <dataDir>/runtime.json: its DynamoDB and Step Functions);
 *   - with --table NAME --state-machine ARN (the stack outputs TableName and SoftwareRequestStateMachineArn):
 *     in AWS, with the operator's own credentials and region (AWS_PROFILE / AWS_REGION).
 * The operator (for the audit trail) is --operator, else $USER. Exit code 0 when the new execution
 * started and was recorded, 2 when it was refused (nothing changed: the message says why), 1 on any
 * other failure.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readLocalSettings, STATE_MACHINE_NAMES, stateMachineArn } from '#local/config.ts';
import { readRuntimeFile } from '#local/runtime-file.ts';
import { asError } from '#shared/core/errors.ts';
import { ResumeRefusedError, resumeRequest } from '#shared/requests/resume.ts';
import { WorkflowStore } from '#shared/store.ts';
import { RESUME_POINTS } from '#shared/workflow/resume-points.ts';

const USAGE =
  'Usage: npm run resume -- <requestId> --at <StateName> [--operator NAME] [--table NAME --state-machine ARN]';

interface Args {
  requestId: string;
  at: string;
  operator: string;
  aws?: { table: string; stateMachine: string };
}

class UsageError extends Error {
  override name = 'UsageError';
}

function parseResumeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Args {
  const args = [...argv];
  const named: Record<string, string | undefined> = {};
  const positional: string[] = [];
  for (let arg = args.shift(); arg !== undefined; arg = args.shift()) {
    const m = /^--(at|operator|table|state-machine)(?:=(.*))?$/.exec(arg);
    if (m?.[1]) named[m[1]] = m[2] ?? args.shift();
    else if (arg.startsWith('--')) throw new UsageError(`Unknown option ${arg}\n${USAGE}`);
    else positional.push(arg);
  }
  const [requestId, extra] = positional;
  if (!requestId || extra !== undefined || !named.at) throw new UsageError(USAGE);
  const operator = named.operator ?? env.USER ?? '';
  if (!operator.trim()) throw new UsageError(`Name the operator: --operator NAME (no $USER set)\n${USAGE}`);
  const table = named.table;
  const stateMachine = named['state-machine'];
  if (Boolean(table) !== Boolean(stateMachine)) {
    throw new UsageError(`In AWS give both --table and --state-machine (the stack outputs)\n${USAGE}`);
  }
  return {
    requestId,
    at: named.at,
    operator: operator.trim(),
    ...(table && stateMachine ? { aws: { table, stateMachine } } : {}),
  };
}

interface Target {
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  tableName: string;
  stateMachineArn: string;
  where: string;
}

function localTarget(): Target {
  const settings = readLocalSettings();
  const runtime = readRuntimeFile(settings.dataDir);
  if (!runtime?.stepFunctions) {
    throw new Error(
      `No local runtime found in ${settings.dataDir}: start it with \`npm start\` (same LOCAL_DATA_DIR)`,
    );
  }
  const local = {
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  return {
    dynamodb: new DynamoDBClient({ ...local, endpoint: runtime.dynamodb }),
    sfn: new SFNClient({ ...local, endpoint: runtime.stepFunctions }),
    tableName: runtime.tableName,
    stateMachineArn: stateMachineArn(STATE_MACHINE_NAMES.softwareRequest),
    where: `the local runtime (${runtime.baseUrl})`,
  };
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseResumeArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(asError(error).message);
    console.error(`Safe entry points: ${Object.keys(RESUME_POINTS).join(', ')}`);
    return 2;
  }
  const target: Target = args.aws
    ? {
        dynamodb: new DynamoDBClient({}),
        sfn: new SFNClient({}),
        tableName: args.aws.table,
        stateMachineArn: args.aws.stateMachine,
        where: `table ${args.aws.table}`,
      }
    : localTarget();
  const client = DynamoDBDocumentClient.from(target.dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  try {
    const result = await resumeRequest(
      { requestId: args.requestId, at: args.at, operator: args.operator },
      {
        store: new WorkflowStore({ tableName: target.tableName, client }),
        sfn: target.sfn,
        stateMachineArn: target.stateMachineArn,
      },
    );
    console.log(
      `Resumed ${result.requestId} at ${result.at} in ${target.where}: new execution ${result.executionArn}` +
        (result.previousExecutionArn ? ` (was ${result.previousExecutionArn})` : ''),
    );
    return 0;
  } catch (error) {
    if (error instanceof ResumeRefusedError) {
      console.error(`Refused, nothing changed: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    target.dynamodb.destroy();
    target.sfn.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(asError(error).message);
    process.exit(1);
  },
);
