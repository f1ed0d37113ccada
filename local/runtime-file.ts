/**
 * `<dataDir>/runtime.json`: where the running local runtime's services listen, so that tools run beside
 * `npm start` (scripts/registry-import.ts) find its DynamoDB from the same PORT / LOCAL_DATA_DIR settings.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RuntimeFile {
  /** The product's HTTP API. */
  baseUrl: string;
  port: number;
  /** dynalite, without any fault proxy. */
  dynamodb: string;
  tableName: string;
  pid: number;
}

const fileOf = (dataDir: string) => join(dataDir, 'runtime.json');

export function writeRuntimeFile(dataDir: string, info: RuntimeFile): void {
  writeFileSync(fileOf(dataDir), `${JSON.stringify(info, null, 2)}\n`);
}

export function readRuntimeFile(dataDir: string): RuntimeFile | undefined {
  try {
    return JSON.parse(readFileSync(fileOf(dataDir), 'utf8')) as RuntimeFile;
  } catch {
    return undefined;
  }
}
