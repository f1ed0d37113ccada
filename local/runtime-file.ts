/**
 * `<dataDir>/runtime.json`: where the running local runtime's services listen, so that tools run beside
 * `npm start` (scripts/registry-import.ts, scripts/resume.ts) find its DynamoDB and Step Functions from the
 * same PORT / LOCAL_DATA_DIR settings.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { readJsonFile } from './json-file.ts';

export interface RuntimeFile {
  /** The product's HTTP API. */
  baseUrl: string;
  port: number;
  /** dynalite, without any fault proxy. */
  dynamodb: string;
  /** The Step Functions stand-in (local/sfn/endpoint.ts); absent in files written before it was listed. */
  stepFunctions?: string;
  tableName: string;
  pid: number;
}

const runtimeFileSchema: z.ZodMiniType<RuntimeFile> = z.looseObject({
  baseUrl: z.string(),
  port: z.number(),
  dynamodb: z.string(),
  stepFunctions: z.optional(z.string()),
  tableName: z.string(),
  pid: z.number(),
});

const fileOf = (dataDir: string) => join(dataDir, 'runtime.json');

export function writeRuntimeFile(dataDir: string, info: RuntimeFile): void {
  writeFileSync(fileOf(dataDir), `${JSON.stringify(info, null, 2)}\n`);
}

/** Where the running runtime listens; undefined when no runtime wrote the file or it cannot be read. */
export function readRuntimeFile(dataDir: string): RuntimeFile | undefined {
  try {
    return readJsonFile(fileOf(dataDir), runtimeFileSchema, undefined);
  } catch {
    return undefined;
  }
}
