/** The product's table of a started local runtime, for tests that seed it directly (registry entries, records). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalRuntime } from '#local/runtime.ts';
import { WorkflowStore } from '#shared/store.ts';

/**
 * A store on the runtime's dynalite; call `close()` when done seeding. `now`: the time its writes take
 * as theirs (e.g. a link made long ago).
 */
export function openRuntimeStore(
  runtime: Pick<LocalRuntime, 'env'>,
  now?: () => Date,
): {
  store: WorkflowStore;
  close(): void;
} {
  const client = new DynamoDBClient({
    endpoint: runtime.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = new WorkflowStore({
    tableName: runtime.env.TABLE_NAME ?? '',
    client: DynamoDBDocumentClient.from(client),
    ...(now ? { now } : {}),
  });
  return { store, close: () => client.destroy() };
}
