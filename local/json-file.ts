/**
 * JSON files of the local runtime's data folder, written atomically (a crash leaves the old file) and
 * read back with the schema of what was written, so a file of another shape is refused by its name
 * rather than read as something it is not.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod/mini';
import { fieldOf } from '#shared/core/guards.ts';

/** The file's value, or `fallback` when there is no file. */
export function readJsonFile<T, F = T>(path: string, schema: z.ZodMiniType<T>, fallback: F): T | F {
  if (!existsSync(path)) return fallback;
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return checked(path, schema, value);
}

export function writeJsonFile(path: string, value: unknown, indent: number | undefined = 1): void {
  writeFileAtomically(path, JSON.stringify(value, null, indent));
}

/**
 * Writes `text` to a temporary file, then renames it over `path`: a crash leaves the old file or the
 * new one, never half of one. The folder is made only when the write finds it missing (asking for it
 * before every write cost as much as the write).
 */
export function writeFileAtomically(path: string, text: string): void {
  const temporary = `${path}.tmp`;
  try {
    writeFileSync(temporary, text);
  } catch (error) {
    if (fieldOf(error, 'code') !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, text);
  }
  renameSync(temporary, path);
}

/**
 * The records of an append-only JSON-lines file (none when it does not exist). A crash mid-append
 * leaves at most a torn last line, whose write was never reported done: it is skipped. A whole line
 * of another shape is no crash's doing: it is refused.
 */
export function readJsonLines<T>(path: string, schema: z.ZodMiniType<T>): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line, index) => {
      if (!line.trim()) return [];
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return [];
      }
      return [checked(`${path} line ${index + 1}`, schema, value)];
    });
}

function checked<T>(where: string, schema: z.ZodMiniType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new Error(`${where} is not what the local runtime writes there: ${z.prettifyError(result.error)}`);
}
